package dev.backout.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Says exactly what to set when external mode cannot create its first administrator.
 */
class MissingAdminFailureAnalyzer extends AbstractFailureAnalyzer<MissingAdminException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingAdminException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Set BACKOUT_ADMIN_USERNAME and BACKOUT_ADMIN_PASSWORD (at least " + UserAccounts.MIN_PASSWORD_LENGTH
						+ " characters) for the first start; they are used only while the user table is empty.",
				cause);
	}

}
