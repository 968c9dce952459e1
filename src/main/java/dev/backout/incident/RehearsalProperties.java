package dev.backout.incident;

import java.time.Duration;
import java.util.Set;

import dev.backout.target.Environment;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param requiredFor environments whose targets require a passing rehearsal of the plan before
 * approval is requested (a runbook may require one anywhere)
 * @param within how recent that rehearsal must be, unless the runbook says otherwise
 * @param lockTimeout the longest a rehearsed statement waits for a lock: a rehearsal may run on
 * production, and must not queue traffic behind it
 */
@ConfigurationProperties("backout.rehearsal")
record RehearsalProperties(@DefaultValue("PRODUCTION") Set<Environment> requiredFor, @DefaultValue("24h") Duration within,
		@DefaultValue("2s") Duration lockTimeout) {

	RehearsalProperties {
		requiredFor = Set.copyOf(requiredFor);
	}

}
