package dev.backout.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an embedded database failure into Boot's short "APPLICATION FAILED TO START" report.
 */
class EmbeddedDatabaseFailureAnalyzer extends AbstractFailureAnalyzer<EmbeddedDatabaseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedDatabaseException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Stop the other console, or point backout.embedded.data-dir (BACKOUT_EMBEDDED_DATA_DIR) at a "
						+ "writable directory of its own, or set SPRING_DATASOURCE_URL to use an external PostgreSQL.",
				cause);
	}

}
