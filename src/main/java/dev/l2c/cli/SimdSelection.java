package dev.l2c.cli;

import dev.l2c.nativelib.SimdLevel;

/**
 * The SIMD level asked for by --simd or, without it, by the L2C_SIMD environment variable: the
 * kernels are capped at it. A level above what the CPU runs is clamped with a note, since every
 * level gives the same bits (docs/FORMAT.md, "Determinism"); a name that is no level is an error.
 */
final class SimdSelection {
    static final String ENV = "L2C_SIMD";

    private SimdSelection() {}

    /**
     * Caps the kernels at the level asked for ({@code option} wins over {@code env}; neither, or a
     * blank variable: no cap). Returns a note when the CPU runs less than asked, else null. Throws
     * IllegalArgumentException naming --simd or L2C_SIMD when the value is no level.
     */
    static String apply(String option, String env) {
        String source = option != null ? "--simd" : ENV;
        String text = option != null ? option : env;
        if (text == null || (option == null && text.isBlank())) {
            SimdLevel.limit(SimdLevel.AVX512);
            return null;
        }
        SimdLevel asked = SimdLevel.parse(text);
        if (asked == null) throw new IllegalArgumentException(source + " must be " + SimdLevel.choices() + ", got '" + text + "'");
        SimdLevel used = SimdLevel.limit(asked);
        return used == asked ? null
                : "note: " + source + " " + asked.label() + ": this CPU runs at most " + used.label() + "; using " + used.label();
    }

    /** One line for --version: the level the CPU supports and the level in use after L2C_SIMD. */
    static String describe(String env) {
        String problem = null;
        try {
            apply(null, env);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        String line = "SIMD: " + SimdLevel.inUse().label() + " in use, CPU supports " + SimdLevel.supported().label();
        if (env != null && !env.isBlank()) line += " (" + ENV + "=" + env + ")";
        return problem == null ? line : line + "; " + problem;
    }
}
