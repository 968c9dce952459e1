package dev.backout.runbook;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as runbooks write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}.
 */
public final class Durations {

	private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h)");

	private Durations() {
	}

	/** @return the duration, or null for null text */
	static Duration parse(String text) {
		if (text == null) {
			return null;
		}
		Matcher matcher = FORMAT.matcher(text.trim());
		if (!matcher.matches()) {
			throw new IllegalArgumentException("Not a duration: " + text);
		}
		long amount = Long.parseLong(matcher.group(1));
		return switch (matcher.group(2)) {
			case "ms" -> Duration.ofMillis(amount);
			case "s" -> Duration.ofSeconds(amount);
			case "m" -> Duration.ofMinutes(amount);
			default -> Duration.ofHours(amount);
		};
	}

	/** In words, as people read it: "1 hour", "30 minutes", "45 seconds". */
	public static String words(Duration duration) {
		if (duration.toHours() > 0 && duration.toMinutesPart() == 0 && duration.toSecondsPart() == 0) {
			return duration.toHours() + (duration.toHours() == 1 ? " hour" : " hours");
		}
		if (duration.toMinutes() > 0 && duration.toSecondsPart() == 0) {
			return duration.toMinutes() + (duration.toMinutes() == 1 ? " minute" : " minutes");
		}
		return duration.toSeconds() + (duration.toSeconds() == 1 ? " second" : " seconds");
	}

}
