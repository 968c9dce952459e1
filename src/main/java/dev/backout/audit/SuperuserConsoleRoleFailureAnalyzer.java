package dev.backout.audit;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says how to give the console a role of its own. */
class SuperuserConsoleRoleFailureAnalyzer extends AbstractFailureAnalyzer<SuperuserConsoleRoleException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, SuperuserConsoleRoleException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Create a login role without SUPERUSER for the console and set SPRING_DATASOURCE_USERNAME to it and "
						+ "BACKOUT_CONSOLE_ROLE to its name; run migrations as the database owner with SPRING_LIQUIBASE_USER "
						+ "and SPRING_LIQUIBASE_PASSWORD. docker-compose.yml and docker/postgres/create-roles.sh show both.",
				cause);
	}

}
