package dev.backout.audit;

import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import dev.backout.IntegrationTest;
import dev.backout.SignedIn;
import dev.backout.Superuser;
import dev.backout.incident.Incident;
import dev.backout.incident.Incidents;
import dev.backout.incident.Severity;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The attacks on the running console's own trail, with its own database role: they break the
 * trail on purpose, so this class has a context (and a database) of its own.
 */
@IntegrationTest
@TestPropertySource(properties = "backout.audit.checkpoint-interval=1h")
class TrailForgeryIntegrationTests {

	@Autowired
	MockMvc mvc;

	/** The console's own connection: its role, `backout`, is what an intruder with its credentials gets. */
	@Autowired
	JdbcClient asConsoleRole;

	@Autowired
	Incidents incidents;

	@Autowired
	TrailCheckpoints checkpoints;

	@Autowired
	DemoTarget demo;

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	/**
	 * ASVS 4.0.3 V7.3.4 (log injection and tampering): "APPROVAL_GIVEN by cto", correctly chained
	 * with the console's database role, verified and sealed before; now the verification page names
	 * it and the auditor's timeline marks it.
	 */
	@Test
	void anEventForgedWithTheConsolesRoleIsNamedOnTheTrailPageAndMarkedOnTheTimeline() throws Exception {
		long target = this.asConsoleRole.sql("select id from target where name = 'demo'").query(Long.class).single();
		Incident incident = this.incidents.open(new Incidents.Opening("memory-schema-rls", target, "Forgery target", Severity.SEV2, null),
				SignedIn.as("commander", Role.COMMANDER));
		var head = this.asConsoleRole.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> Map.entry(rs.getLong(1), rs.getString(2)))
			.single();
		long seq = head.getKey() + 1;
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		String details = AuditHashing.canonicalDetails(Map.of("comment", "approved by phone"));
		this.asConsoleRole.sql("insert into audit_event (seq, occurred_at, actor, actor_roles, incident_id, action, details, prev_hash, hash) "
				+ "values (?, ?, 'cto', 'CTO', ?, 'APPROVAL_GIVEN', cast(? as jsonb), ?, ?)")
			.params(seq, Timestamp.from(now), incident.id(), details, head.getValue(),
					AuditHashing.hash(seq, now, "cto", "CTO", incident.id(), "APPROVAL_GIVEN", details, head.getValue()))
			.update();
		this.checkpoints.write("after the forgery", null);

		this.mvc.perform(get("/history/trail").with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("BROKEN")))
			.andExpect(content().string(containsString("Broken at sequence " + seq + ": it carries no proof of authorship")));
		this.mvc.perform(get("/history/incidents/{id}", incident.id()).with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("No proof the console wrote this")));
	}

	/** ASVS 4.0.3 V7.3.3 / V1.4.5 (least privilege): the console's role is no superuser and cannot rewrite or unlock the trail. */
	@Test
	void theConsolesRoleCannotChangeTheTrailNorSwitchOffItsGuards() {
		assertThat(this.asConsoleRole.sql("select rolsuper from pg_roles where rolname = current_user").query(Boolean.class).single())
			.isFalse();
		assertThatException().isThrownBy(() -> this.asConsoleRole.sql("update audit_event set actor = 'x' where seq = 1").update())
			.havingRootCause()
			.withMessageContaining("permission denied");
		assertThatException().isThrownBy(() -> this.asConsoleRole.sql("delete from audit_event where seq = 1").update())
			.havingRootCause()
			.withMessageContaining("permission denied");
		assertThatException().isThrownBy(() -> this.asConsoleRole.sql("alter table audit_event disable trigger all").update())
			.havingRootCause()
			.withMessageContaining("must be owner");
	}

	/** A trail that cannot be read to its end is no verdict, said so on the page: never "Intact", never an error page. */
	@Test
	void aTrailThatCannotBeReadIsNoVerdict() throws Exception {
		String role = this.asConsoleRole.sql("select current_user").query(String.class).single();
		JdbcClient superuser = Superuser.onConsoleDatabase(this.demo, this.asConsoleRole);
		superuser.sql("revoke select on audit_event from " + role).update();
		try {
			this.mvc.perform(get("/history/trail").with(user("auditor").roles("AUDITOR")))
				.andExpect(status().isOk())
				.andExpect(content().string(containsString("Not verified")))
				.andExpect(content().string(containsString("Cannot read the trail: ERROR: permission denied for table audit_event")))
				.andExpect(content().string(not(containsString("Intact"))));
		}
		finally {
			superuser.sql("grant select on audit_event to " + role).update();
		}
	}

	/** ASVS 4.0.3 V7.4.1: a damaged checkpoint file is a broken verdict naming the line, never an error page. */
	@Test
	void aMalformedCheckpointFileIsAVerdictNotAnError() throws Exception {
		byte[] before = Files.readAllBytes(this.checkpoints.file());
		try {
			Files.writeString(this.checkpoints.file(), "{\"number\": 1, \"seq\": \"many\"}\n", StandardOpenOption.APPEND);
			this.mvc.perform(get("/history/trail").with(user("auditor").roles("AUDITOR")))
				.andExpect(status().isOk())
				.andExpect(content().string(containsString("BROKEN")))
				.andExpect(content().string(containsString("is not a checkpoint (no hash)")));
		}
		finally {
			Files.write(this.checkpoints.file(), before);
		}
	}

}
