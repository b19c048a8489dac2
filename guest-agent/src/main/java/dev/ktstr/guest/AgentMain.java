package dev.ktstr.guest;

/** The name the design uses for the guest entry point; the agent lives in {@link dev.ktstr.guest.agent}. */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        dev.ktstr.guest.agent.AgentMain.main(args);
    }
}
