package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The defaults differ by data: sentences (no labels) get one round and a gentler reconstruction. */
class NetworkCalibrationSettingsTest {
    private static final Path NOWHERE = Path.of("no-such-folder");

    @Test
    void imagesGetThePaperSchedule() {
        NetworkCalibrationSettings s = NetworkCalibrationSettings.defaults(CalibrationSource.fashionMnist(NOWHERE),
                NetworkCalibrationSettings.Kind.KD);
        assertEquals(NetworkCalibrationSettings.DEFAULT_CALIB_SIZE, s.calibSize());
        assertEquals(NetworkCalibrationSettings.DEFAULT_ROUNDS, s.rounds());
        assertEquals(NetworkCalibrationSettings.DEFAULT_RECON_STEPS, s.reconSteps());
        assertEquals(NetworkCalibrationSettings.DEFAULT_KD_LR, s.kdLearningRate());
    }

    @Test
    void sentencesGetOneRoundWithAGentleReconstruction() {
        NetworkCalibrationSettings s = NetworkCalibrationSettings.defaults(CalibrationSource.wordNet(NOWHERE),
                NetworkCalibrationSettings.Kind.KD);
        assertEquals(1, s.rounds());
        assertEquals(NetworkCalibrationSettings.TEXT_RECON_STEPS, s.reconSteps());
        assertEquals(NetworkCalibrationSettings.TEXT_RECON_LR, s.reconLearningRate());
        assertEquals(NetworkCalibrationSettings.TEXT_KD_STEPS, s.kdSteps());
        assertEquals(NetworkCalibrationSettings.TEXT_KD_LR, s.kdLearningRate());
        assertEquals(NetworkCalibrationSettings.TEXT_CALIB_SIZE, s.calibSize());
    }

    @Test
    void refusesSettingsThatCannotRun() {
        CalibrationSource src = CalibrationSource.wordNet(NOWHERE);
        var kd = NetworkCalibrationSettings.Kind.KD;
        assertThrows(IllegalArgumentException.class, () -> new NetworkCalibrationSettings(src, kd, 0, 16, 1, 1, 1, 0.1, 0.1, 3));
        assertThrows(IllegalArgumentException.class, () -> new NetworkCalibrationSettings(src, kd, 8, 16, -1, 1, 1, 0.1, 0.1, 3));
        assertThrows(IllegalArgumentException.class, () -> new NetworkCalibrationSettings(src, kd, 8, 16, 1, 1, 1, 0, 0.1, 3));
    }
}
