package dev.backout.runbook;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import dev.backout.audit.AuditTrail;
import dev.backout.runbook.RunbookCatalog.ReloadResult;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.StreamUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
class RunbookController {

	private final RunbookCatalog catalog;

	private final AuditTrail trail;

	private final MarkdownRenderer markdown;

	RunbookController(RunbookCatalog catalog, AuditTrail trail, MarkdownRenderer markdown) {
		this.catalog = catalog;
		this.trail = trail;
		this.markdown = markdown;
	}

	@GetMapping("/runbooks")
	String list(Model model) {
		model.addAttribute("runbooks", this.catalog.runbooks());
		model.addAttribute("problems", this.catalog.problems());
		model.addAttribute("loadedAt", this.catalog.loadedAt());
		model.addAttribute("lastIncidents", this.trail.lastIncidentPerRunbook());
		return "runbook/list";
	}

	@GetMapping("/runbooks/{id}")
	String show(@PathVariable String id, Model model) {
		LoadedRunbook loaded = this.catalog.get(id);
		List<RunbookVersion> history = this.catalog.history(id);
		model.addAttribute("loaded", loaded);
		model.addAttribute("runbook", loaded.runbook());
		model.addAttribute("diagram", DecisionDiagram.of(loaded.runbook().decision()));
		model.addAttribute("stepTitles", loaded.runbook().stepTitles());
		model.addAttribute("summaryHtml", this.markdown.html(loaded.runbook().summary()));
		model.addAttribute("history", history);
		model.addAttribute("fileProblems",
				this.catalog.problems().stream().filter((p) -> p.file().equals(loaded.file())).toList());
		return "runbook/detail";
	}

	@GetMapping("/runbooks/{id}/diff")
	String diff(@PathVariable String id, @RequestParam String from, @RequestParam String to, Model model) {
		model.addAttribute("runbook", this.catalog.get(id).runbook());
		model.addAttribute("diff", this.catalog.diff(id, from, to));
		return "runbook/diff";
	}

	@PostMapping("/runbooks/reload")
	@PreAuthorize("hasRole('ADMIN')")
	String reload(Authentication admin, RedirectAttributes redirect) {
		ReloadResult result = this.catalog.reload(admin);
		String summary = result.loaded() + " runbooks active from " + result.files() + " files, " + result.newVersions()
				+ " new versions.";
		if (result.errors().isEmpty()) {
			redirect.addFlashAttribute("message", "Runbooks reloaded: " + summary);
		}
		else {
			redirect.addFlashAttribute("error", "Runbooks reloaded with " + result.errors().size()
					+ " errors (the last good versions stay active): " + summary);
		}
		return "redirect:/runbooks";
	}

	/** The JSON Schema of the format, for editors with YAML language support. Public: it holds no data. */
	@GetMapping(value = "/runbooks/schema.json", produces = "application/schema+json")
	@ResponseBody
	ResponseEntity<byte[]> schema() throws IOException {
		try (InputStream schema = RunbookController.class.getResourceAsStream(RunbookParser.SCHEMA_RESOURCE)) {
			return ResponseEntity.ok()
				.contentType(MediaType.parseMediaType("application/schema+json"))
				.body(StreamUtils.copyToByteArray(schema));
		}
	}

}
