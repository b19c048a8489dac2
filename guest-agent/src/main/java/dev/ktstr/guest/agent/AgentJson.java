package dev.ktstr.guest.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.scenario.report.ReportJson;

/** JSON for frames: the scenario module's mapper, so reports and results read back identically on the host. */
final class AgentJson {
    private AgentJson() {}

    static ObjectMapper mapper() {
        return ReportJson.mapper();
    }

    static byte[] bytes(Object value) {
        try {
            return mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
