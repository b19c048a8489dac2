package dev.ktstr.junit.engine;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * A failed VM test as JUnit reports it: the message is the report's first line (Surefire's
 * {@code message} attribute, an IDE's one-line summary), and the "stack trace" is the whole spec §4.7
 * report, line by line, instead of engine frames nobody needs.
 */
final class KtstrFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final String report;

    KtstrFailure(String report) {
        super(firstLine(report));
        this.report = report;
        setStackTrace(new StackTraceElement[0]);
    }

    String report() {
        return report;
    }

    static String firstLine(String report) {
        String r = report == null ? "" : report.strip();
        int nl = r.indexOf('\n');
        return nl < 0 ? r : r.substring(0, nl);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public void printStackTrace(PrintWriter w) {
        w.println(report);
    }

    @Override
    public void printStackTrace(PrintStream s) {
        s.println(report);
    }
}
