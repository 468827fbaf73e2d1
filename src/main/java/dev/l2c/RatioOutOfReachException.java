package dev.l2c;

/**
 * A target ratio outside the range of the files a ratio search could code: the closest of them
 * would be far from what was asked (every weight zero, say), so nothing was written. Ask for a
 * ratio in [{@link #lowest()}, {@link #highest()}], or for the closest file.
 */
public class RatioOutOfReachException extends L2cException {
    private final double target;
    private final double lowest;
    private final double highest;

    /**
     * @param message the message, naming the model and the range
     * @param target the ratio asked for
     * @param lowest the lowest ratio of the files coded
     * @param highest the highest ratio of the files coded
     */
    public RatioOutOfReachException(String message, double target, double lowest, double highest) {
        super(message);
        this.target = target;
        this.lowest = lowest;
        this.highest = highest;
    }

    /** @return the ratio asked for */
    public double target() {
        return target;
    }

    /** @return the lowest ratio of the files the search coded */
    public double lowest() {
        return lowest;
    }

    /** @return the highest ratio of the files the search coded */
    public double highest() {
        return highest;
    }
}
