package dev.l2c.format;

/** The transform from symbol values to weights (docs/FORMAT.md, transform). */
public enum TransformType {
    NONE(0), UNIFORM(1), EDGE_SCALE(2), PIECEWISE(3);

    private final int code;

    TransformType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this code, or null. */
    public static TransformType fromCode(int code) {
        for (TransformType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }
}
