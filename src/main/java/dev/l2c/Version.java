package dev.l2c;

/** The l2c release, recorded in every file it writes. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
