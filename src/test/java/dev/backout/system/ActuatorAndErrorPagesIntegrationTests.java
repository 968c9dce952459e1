package dev.backout.system;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@IntegrationTest
class ActuatorAndErrorPagesIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Test
	void healthIsPublicAndIncludesTheDatabaseForAdmins() throws Exception {
		this.mvc.perform(get("/actuator/health")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
	}

	@Test
	void livenessAndReadinessProbesArePublicAndReadinessAsksTheDatabase() throws Exception {
		this.mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
		this.mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void adminsSeeThatReadinessIncludesTheDatabase() throws Exception {
		this.mvc.perform(get("/actuator/health/readiness"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.components.db.status").value("UP"))
			.andExpect(jsonPath("$.components.readinessState.status").value("UP"));
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void adminsSeeHealthDetailsAndPrometheusMetrics() throws Exception {
		this.mvc.perform(get("/actuator/health"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.components.db.status").value("UP"));
		this.mvc.perform(get("/actuator/prometheus"))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("jvm_memory_used_bytes")));
	}

	@Test
	@WithMockUser(username = "auditor", roles = "AUDITOR")
	void otherActuatorEndpointsAreForAdminsOnly() throws Exception {
		this.mvc.perform(get("/actuator/prometheus")).andExpect(status().isForbidden());
		this.mvc.perform(get("/actuator/metrics")).andExpect(status().isForbidden());
	}

	@Test
	void anonymousVisitorsAreSentToTheLoginPage() throws Exception {
		this.mvc.perform(get("/actuator/metrics")).andExpect(status().is3xxRedirection());
		this.mvc.perform(get("/")).andExpect(redirectedUrl("/login"));
	}

}
