package dev.backout.system;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the OpenAPI document says about every endpoint: a personal API token as a bearer token,
 * and the RFC 9457 problem every error answers with (401, 403, 404 and the rest).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

	static final String BEARER = "bearer";

	static final String PROBLEM = "Problem";

	private static final String[][] ERRORS = { { "400", "The request is malformed or a field is too long" },
			{ "401", "No token, or one the console does not know" }, { "403", "Your roles do not allow it" },
			{ "404", "No such incident, runbook or endpoint" } };

	@Bean
	OpenAPI backoutApi() {
		return new OpenAPI()
			.info(new Info().title("Backout API").description("Everything the console's pages do, for scripts and tools. "
					+ "Send a personal API token (created on your profile page) as Authorization: Bearer <token>."))
			.components(new Components()
				.addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
					.bearerFormat("bo_… personal API token")))
			.addSecurityItem(new SecurityRequirement().addList(BEARER));
	}

	/** Every operation may answer with these problems (added after the scan, which rebuilds the schemas). */
	@Bean
	OpenApiCustomizer problemResponses() {
		Schema<?> problem = new ObjectSchema().description("RFC 9457 problem details")
			.addProperty("type", new StringSchema().example("about:blank"))
			.addProperty("title", new StringSchema().example("Conflict"))
			.addProperty("status", new IntegerSchema().example(409))
			.addProperty("detail", new StringSchema().example("The incident changed since you loaded it."))
			.addProperty("instance", new StringSchema().example("/api/incidents/7/decision"));
		return (api) -> {
			api.getComponents().addSchemas(PROBLEM, problem);
			api.getPaths().values().forEach((path) -> path.readOperations().forEach((operation) -> {
				for (String[] error : ERRORS) {
					operation.getResponses().putIfAbsent(error[0], new ApiResponse().description(error[1]).content(new Content()
						.addMediaType("application/problem+json", new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
				}
			}));
		};
	}

}
