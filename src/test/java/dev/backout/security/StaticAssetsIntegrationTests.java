package dev.backout.security;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Static files live under {@code /assets/**}, readable before sign-in (the login page needs its
 * styles); nothing else is served from the classpath's static folder.
 */
@IntegrationTest
class StaticAssetsIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Test
	void theLoginPageUsesAssetsThatAnyoneMayRead() throws Exception {
		this.mvc.perform(get("/login"))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("/assets/css/backout.css")))
			.andExpect(content().string(containsString("/assets/favicon.svg")));
		this.mvc.perform(get("/assets/css/backout.css")).andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith("text/css"));
		this.mvc.perform(get("/assets/js/cockpit.js")).andExpect(status().isOk());
	}

	@Test
	void theOldRootPathsAreNoLongerPublic() throws Exception {
		this.mvc.perform(get("/css/backout.css")).andExpect(status().is3xxRedirection());
	}

}
