package dev.ktstr.worker;

/** How an executor reports a running job: phase changes and numeric samples. Thread-safe. */
public interface JobProgress {
    /** The job entered a phase such as {@code fetch}, {@code boot}, {@code run}, {@code collect}. */
    void phase(String phase);

    /** A live sample, e.g. a monitor reading; may be dropped under load. */
    void sample(String metric, double value);

    JobProgress NONE = new JobProgress() {
        @Override public void phase(String phase) { }
        @Override public void sample(String metric, double value) { }
    };
}
