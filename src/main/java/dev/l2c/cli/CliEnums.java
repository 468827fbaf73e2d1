package dev.l2c.cli;

import dev.l2c.backend.Device;
import dev.l2c.counter.CounterKernel;
import dev.l2c.pipeline.RatioMethod;
import dev.l2c.transform.TransformKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Enum-valued options: each constant is spelled on the command line as its name in lower case
 * with '-' for '_' (EDGE_SCALE is edge-scale), any case accepted; anything else is a usage error
 * that lists the choices.
 */
final class CliEnums {
    private CliEnums() {}

    /** The calibration objective of {@code compress} and {@code demo}. */
    enum Objective {
        KD,
        LAYERWISE,
        DATA_FREE
    }

    /** How {@code constant} is spelled on the command line. */
    static String label(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Converts a command-line word to the constant of {@code type} spelled that way (class comment). */
    abstract static class Converter<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
        private final Class<E> type;

        Converter(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            for (E e : type.getEnumConstants()) if (label(e).equalsIgnoreCase(value)) return e;
            List<String> choices = new ArrayList<>();
            for (E e : type.getEnumConstants()) choices.add(label(e));
            throw new CommandLine.TypeConversionException("must be one of " + String.join(", ", choices) + ", got '" + value + "'");
        }
    }

    // One class per type: picocli instantiates converters named in the option annotations.

    static final class MethodConverter extends Converter<RatioMethod> {
        MethodConverter() {
            super(RatioMethod.class);
        }
    }

    static final class TransformConverter extends Converter<TransformKind> {
        TransformConverter() {
            super(TransformKind.class);
        }
    }

    static final class KernelConverter extends Converter<CounterKernel> {
        KernelConverter() {
            super(CounterKernel.class);
        }
    }

    static final class DeviceConverter extends Converter<Device> {
        DeviceConverter() {
            super(Device.class);
        }
    }

    static final class ObjectiveConverter extends Converter<Objective> {
        ObjectiveConverter() {
            super(Objective.class);
        }
    }
}
