package io.cahoots.agent.importer;

/** An import that must not start (409): the target lacks room, or the source is not what it should be. */
public class ImportRefusedException extends RuntimeException {

    private final transient Object report;

    public ImportRefusedException(String message, Object report) {
        super(message);
        this.report = report;
    }

    public Object report() {
        return report;
    }
}
