package dev.backout.incident;

import java.time.LocalDateTime;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.format.annotation.DateTimeFormat;

/**
 * The "start an incident" form.
 *
 * @param detectedAt when the problem was detected (UTC); the decision clock starts here
 */
record IncidentForm(@NotBlank(message = "choose a runbook") String runbookId, @NotNull(message = "choose a target") Long targetId,
		@NotBlank(message = "describe what is wrong") @Size(max = 2000) String symptom, @NotNull Severity severity,
		@DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime detectedAt) {

	static IncidentForm empty(String runbookId, Long targetId) {
		return new IncidentForm(runbookId, targetId, "", Severity.SEV2, null);
	}

}
