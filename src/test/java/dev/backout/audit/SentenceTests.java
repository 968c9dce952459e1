package dev.backout.audit;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What an auditor reads on a person's page for the console's administration and sign-in events. */
class SentenceTests {

	@Test
	void administrationReadsAsWhatTheAdminDid() {
		assertThat(sentence("admin", "TARGET_REGISTERED", "{\"target\":\"orders\",\"environment\":\"PRODUCTION\"}"))
			.isEqualTo("admin registered target orders (Production)");
		assertThat(sentence("admin", "ROLE_GRANTED", "{\"user\":\"bob\",\"role\":\"TEAM_LEAD\"}"))
			.isEqualTo("admin gave bob the role Team lead");
		assertThat(sentence("admin", "ROLE_REVOKED", "{\"user\":\"bob\",\"role\":\"CTO\"}"))
			.isEqualTo("admin took the role CTO from bob");
		assertThat(sentence("bob", "API_TOKEN_CREATED", "{\"token\":\"ci\",\"prefix\":\"bo_1234567\"}"))
			.isEqualTo("bob created API token “ci”");
	}

	@Test
	void signInTroubleSaysHowMuch() {
		assertThat(sentence("bob", "LOGIN_FAILED", "{\"knownUser\":true,\"failedLogins\":3}"))
			.isEqualTo("bob failed to sign in (3 in a row)");
		assertThat(sentence("nobody", "LOGIN_FAILED", "{\"knownUser\":false,\"failedLogins\":0}"))
			.isEqualTo("nobody failed to sign in (no such user)");
		assertThat(sentence("system", "LOGIN_THROTTLED", "{\"who\":\"203.0.113.7\",\"failuresWithinAMinute\":11,\"limit\":10}"))
			.isEqualTo("The sign-ins of 203.0.113.7 were slowed down: 11 failures within a minute");
	}

	@Test
	void anApprovalNamesTheRoleAsTheConsoleDoes() {
		assertThat(sentence("cto", "APPROVAL_GIVEN", "{\"role\":\"CTO\",\"comment\":\"go\"}"))
			.isEqualTo("cto approved the plan as CTO: “go”");
	}

	@Test
	void verificationBeginsInWords() {
		assertThat(sentence("commander", "INCIDENT_VERIFYING", "{}"))
			.isEqualTo("commander began verifying: the plan's changes are done");
	}

	private static String sentence(String actor, String action, String details) {
		return new AuditEvent(1, Instant.EPOCH, actor, null, null, action, details, null, "h", null).sentence();
	}

}
