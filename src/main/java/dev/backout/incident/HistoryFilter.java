package dev.backout.incident;

import java.time.LocalDate;

import org.springframework.format.annotation.DateTimeFormat;

/**
 * The auditors' incident search; every field optional.
 *
 * @param from opened on or after this day (UTC)
 * @param to opened on or before this day (UTC)
 * @param person the commander, or anyone who acted in the incident
 * @param before keyset: incidents with a smaller id (the next page)
 */
record HistoryFilter(@DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
		@DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to, String runbook, Long target, IncidentState state,
		String person, Long before) {

	HistoryFilter {
		runbook = blankToNull(runbook);
		person = blankToNull(person);
	}

	private static String blankToNull(String text) {
		return (text == null || text.isBlank()) ? null : text.trim();
	}

}
