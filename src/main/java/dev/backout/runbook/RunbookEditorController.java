package dev.backout.runbook;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;

import dev.backout.system.InputTooLong;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The runbook editor: YAML checked as it is typed with the loader's own rules (every problem with
 * its line and column, in one pass), a preview of the runbook page and its decision tree, and
 * saving as a new version (or downloading, for the pull-request flow). For runbook authors and
 * admins; the server checks again on save.
 */
@Controller
@PreAuthorize("hasAnyRole('RUNBOOK_AUTHOR', 'ADMIN')")
class RunbookEditorController {

	/** About 200 pages; the seed runbooks are 5–15 kB. */
	static final int LARGEST_RUNBOOK = 200_000;

	private static final String NEW_RUNBOOK = """
			id: new-runbook
			title: What this rollback undoes
			migration: { id: "the migration's id", tool: sql }
			risk: MEDIUM
			summary: What the migration did, and what rolling it back loses.
			decision:
			  start: roll-back
			  questions:
			    - id: roll-back
			      ask: Roll back now?
			      answers:
			        - { answer: "Yes", outcome: ROLLBACK }
			        - { answer: "No", outcome: FIX_FORWARD }
			authorization:
			  approvers: [TEAM_LEAD, CTO]
			  deadline: 30m
			phases:
			  execute:
			    steps:
			      - id: undo
			        title: Undo the change
			        sql: SELECT 1;
			  verify:
			    steps:
			      - id: undone
			        title: The change is gone
			        check: SELECT 1
			        expect: { equals: 1 }
			""";

	/** The runbook's id as the schema allows it, read from its line. */
	private static final Pattern RUNBOOK_ID = Pattern.compile("(?m)^id:\\s*\"?([a-z0-9][a-z0-9-]{1,62})\"?\\s*$");

	private final RunbookCatalog catalog;

	private final EditorPage page;

	RunbookEditorController(RunbookCatalog catalog, EditorPage page) {
		this.catalog = catalog;
		this.page = page;
	}

	@GetMapping("/runbooks/editor")
	String newRunbook(Model model) {
		return editor(NEW_RUNBOOK, null, model);
	}

	@GetMapping("/runbooks/{id}/edit")
	String edit(@PathVariable String id, Model model) {
		LoadedRunbook loaded = this.catalog.get(id);
		return editor(loaded.source(), loaded.hash(), model);
	}

	/** The live check: problems and preview, as the author types. */
	@HxRequest
	@PostMapping("/runbooks/editor/check")
	String liveCheck(@RequestParam String yaml, Model model) {
		InputTooLong.atMost(yaml, LARGEST_RUNBOOK, "runbook");
		this.page.feedback(yaml, model);
		return "runbook/editor :: feedback";
	}

	@PostMapping("/runbooks/editor/check")
	String check(@RequestParam String yaml, @RequestParam(required = false) String baseHash, Model model) {
		InputTooLong.atMost(yaml, LARGEST_RUNBOOK, "runbook");
		return editor(yaml, baseHash, model);
	}

	@PostMapping("/runbooks/editor/save")
	String save(@RequestParam String yaml, @RequestParam(required = false) String baseHash, Authentication actor, Model model,
			RedirectAttributes redirect) {
		InputTooLong.atMost(yaml, LARGEST_RUNBOOK, "runbook");
		InputTooLong.atMost(baseHash, InputTooLong.SHORT, "version");
		try {
			LoadedRunbook saved = this.catalog.save(yaml, baseHash, actor);
			redirect.addFlashAttribute("message", "Saved: version " + saved.shortHash() + " of " + saved.id() + " is active.");
			return "redirect:/runbooks/" + saved.id();
		}
		catch (RunbookRefused ex) {
			model.addAttribute("error", ex.getMessage());
			return editor(yaml, baseHash, model);
		}
	}

	/** The YAML as a file named after its id, for the pull-request flow. */
	@PostMapping("/runbooks/editor/download")
	ResponseEntity<byte[]> download(@RequestParam String yaml) {
		InputTooLong.atMost(yaml, LARGEST_RUNBOOK, "runbook");
		Matcher id = RUNBOOK_ID.matcher(yaml);
		String file = (id.find() ? id.group(1) : "runbook") + ".yaml";
		return ResponseEntity.ok()
			.contentType(new MediaType("application", "yaml", StandardCharsets.UTF_8))
			.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(file).build().toString())
			.body(yaml.getBytes(StandardCharsets.UTF_8));
	}

	@ExceptionHandler(InputTooLong.class)
	@ResponseStatus(HttpStatus.BAD_REQUEST)
	String tooLong(InputTooLong ex, Model model) {
		model.addAttribute("error", ex.getMessage());
		return editor("", null, model);
	}

	private String editor(String yaml, String baseHash, Model model) {
		return this.page.show(yaml, baseHash, model);
	}

}
