package dev.runwire.api.run;

import java.util.Arrays;

import dev.runwire.model.run.RunStatus;

/**
 * Sets of {@link RunStatus} as statement parameters ({@code status = any($n)}, {@code status <> all($n)}), so no
 * statement spells a status list.
 */
final class RunStatuses {

    /** The statuses a run ends in. */
    static final String[] TERMINAL = Arrays.stream(RunStatus.values()).filter(RunStatus::isTerminal).map(Enum::name)
            .toArray(String[]::new);
    /** The statuses of a run not ended yet. */
    static final String[] ACTIVE = Arrays.stream(RunStatus.values()).filter(s -> !s.isTerminal()).map(Enum::name)
            .toArray(String[]::new);

    private RunStatuses() {
    }
}
