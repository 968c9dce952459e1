package dev.backout.incident;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The printable incident report as PDF: the report page's template rendered to XHTML with its
 * stylesheet inlined, then laid out by openhtmltopdf.
 */
@Component
class IncidentReport {

	private final TemplateEngine templates;

	IncidentReport(TemplateEngine templates) {
		this.templates = templates;
	}

	byte[] pdf(Map<String, Object> model) {
		try {
			Context context = new Context();
			context.setVariables(model);
			context.setVariable("inlineCss", new ClassPathResource("static/css/report.css").getContentAsString(StandardCharsets.UTF_8));
			String html = this.templates.process("incident/report", context);
			ByteArrayOutputStream pdf = new ByteArrayOutputStream();
			PdfRendererBuilder builder = new PdfRendererBuilder();
			builder.useFastMode();
			builder.withHtmlContent(html, null);
			builder.toStream(pdf);
			builder.run();
			return pdf.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot render the incident report", ex);
		}
	}

}
