package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.pipeline.RatioMethod;
import dev.l2c.transform.TransformKind;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliEnumsTest {
    @Test
    void constantsAreSpelledInLowerCaseWithHyphensAndReadInAnyCase() {
        assertEquals("edge-scale", CliEnums.label(TransformKind.EDGE_SCALE));
        assertEquals(TransformKind.EDGE_SCALE, new CliEnums.TransformConverter().convert("edge-scale"));
        assertEquals(TransformKind.PIECEWISE, new CliEnums.TransformConverter().convert("PieceWise"));
        assertEquals(RatioMethod.GPTQ, new CliEnums.MethodConverter().convert("gptq"));
        assertEquals(CliEnums.Objective.DATA_FREE, new CliEnums.ObjectiveConverter().convert("data-free"));
        // The constant's Java name is not a spelling the command line accepts.
        assertThrows(CommandLine.TypeConversionException.class, () -> new CliEnums.ObjectiveConverter().convert("DATA_FREE"));
    }

    @Test
    void aWrongWordIsAUsageErrorThatNamesTheOptionAndListsTheChoices() {
        CliRunner r = CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--ratio", "10", "--transform", "log");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'--transform'") && r.err().contains("must be one of uniform, edge-scale, piecewise, got 'log'"),
                r.err());
        CliRunner d = CliRunner.run("compress", "in.onnx", "-o", "x.l2c", "--bits", "8", "--device", "tpu");
        assertEquals(2, d.exit());
        assertTrue(d.err().contains("must be one of auto, cpu, cuda, got 'tpu'"), d.err());
    }
}
