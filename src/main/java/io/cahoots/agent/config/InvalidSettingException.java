package io.cahoots.agent.config;

/** A setting that cannot be used; the message is the single line printed at start-up. */
public class InvalidSettingException extends RuntimeException {

    private final String variable;

    public InvalidSettingException(String variable, String shownValue, String expected) {
        super("Invalid setting " + variable + "=" + shownValue + ": expected " + expected);
        this.variable = variable;
    }

    public InvalidSettingException(String variable, String message) {
        super("Invalid setting " + variable + ": " + message);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
