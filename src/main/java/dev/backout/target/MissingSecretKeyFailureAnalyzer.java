package dev.backout.target;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

class MissingSecretKeyFailureAnalyzer extends AbstractFailureAnalyzer<MissingSecretKeyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingSecretKeyException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Set BACKOUT_SECRET_KEY to base64 of 32 random bytes, e.g. the output of: openssl rand -base64 32. "
						+ "Keep it outside the console database; losing it makes stored target passwords unreadable.",
				cause);
	}

}
