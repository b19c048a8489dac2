package dev.ktstr.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A variant's logs, whole as far as the caps allow (a result must fit one cluster message); guest
 * text is untrusted and already stripped of control characters.
 *
 * @param console           the guest serial console (last lines)
 * @param guest             every guest agent LOG line the host kept
 * @param scheduler         the scheduler's stdout+stderr, null when it sent none
 * @param droppedGuestLines guest log lines over the host's line cap, not kept
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VmLogs(String console, String guest, String scheduler, int droppedGuestLines) {
    public VmLogs {
        console = console == null ? "" : console;
        guest = guest == null ? "" : guest;
    }
}
