package dev.ktstr.coordinator.journal;

import java.io.IOException;

public final class JournalCorruptException extends IOException {
    public JournalCorruptException(String message) {
        super(message);
    }
}
