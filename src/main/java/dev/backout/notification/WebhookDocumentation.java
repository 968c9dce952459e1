package dev.backout.notification;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The incident webhook in the OpenAPI document: its payload and its Standard Webhooks headers. */
@Configuration(proxyBeanMethods = false)
class WebhookDocumentation {

	static final String PAYLOAD = "IncidentWebhook";

	@Bean
	OpenApiCustomizer incidentWebhook() {
		Schema<?> payload = new ObjectSchema().description("An incident event, POSTed to each backout.webhooks.urls endpoint")
			.addProperty("id", new StringSchema().description("Unique; the same on every try (also the webhook-id header)")
				.example("evt_0b7c…"))
			.addProperty("type", new StringSchema()._enum(java.util.List.of("APPROVAL_REQUESTED", "DEADLINE_NEAR", "OVERDUE", "APPROVED",
					"REJECTED", "HALTED", "COMPLETED")))
			.addProperty("incidentId", new IntegerSchema().format("int64"))
			.addProperty("runbookId", new StringSchema())
			.addProperty("state", new StringSchema().description("The incident's state after the event"))
			.addProperty("detail", new StringSchema())
			.addProperty("occurredAt", new StringSchema().format("date-time"))
			.addProperty("link", new StringSchema().format("uri").description("The review page, or the incident page"));
		Operation post = new Operation().summary("An incident event")
			.description("Signed as Standard Webhooks describes when backout.webhooks.secret is set: verify webhook-signature, "
					+ "reject old timestamps, and drop a webhook-id seen before (a delivery is retried until a 2xx answer).")
			.addParametersItem(new HeaderParameter().name("webhook-id").required(true).schema(new StringSchema()))
			.addParametersItem(new HeaderParameter().name("webhook-timestamp").required(true)
				.schema(new IntegerSchema().format("int64")).description("Seconds since the epoch, of this try"))
			.addParametersItem(new HeaderParameter().name("webhook-signature").required(false)
				.schema(new StringSchema()).description("v1,<base64 HMAC-SHA256 of id.timestamp.body>"))
			.requestBody(new RequestBody().required(true).content(new Content().addMediaType("application/json",
					new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PAYLOAD)))))
			.responses(new ApiResponses().addApiResponse("2XX", new ApiResponse().description("Taken; any other answer is retried")));
		return (api) -> {
			api.getComponents().addSchemas(PAYLOAD, payload);
			api.addWebhooks("incident-event", new PathItem().post(post));
		};
	}

}
