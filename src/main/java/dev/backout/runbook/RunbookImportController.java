package dev.backout.runbook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.backout.system.InputTooLong;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

/**
 * Getting a runbook in from a rollback document: the draft is shown with what landed, what is
 * left to do, and every problem the loader would report, checked again after each edit. Nothing
 * is saved: the author downloads the YAML for the runbooks repository's review.
 */
@Controller
@PreAuthorize("hasRole('ADMIN')")
class RunbookImportController {

	/** About 200 pages of Markdown; the seeds are 3–20 kB. */
	private static final int LARGEST_DOCUMENT = 200_000;

	private final RunbookParser parser = new RunbookParser();

	@GetMapping("/runbooks/import")
	String form() {
		return "runbook/import";
	}

	@PostMapping("/runbooks/import")
	String importMarkdown(@RequestParam String id, @RequestParam String markdown, Model model) {
		InputTooLong.atMost(markdown, LARGEST_DOCUMENT, "document");
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		String runbookId = id.isBlank() ? "imported-runbook" : id.strip().toLowerCase().replaceAll("[^a-z0-9-]+", "-");
		MarkdownImport.Draft draft = MarkdownImport.of(runbookId, markdown);
		model.addAttribute("draft", draft);
		return check(runbookId, draft.yaml(), model);
	}

	/** A sqitch project, zipped: its plan, revert and verify scripts; the last {@code last} changes are reverted. */
	@PostMapping(path = "/runbooks/import/sqitch", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	String importSqitch(@RequestParam String id, @RequestParam int last, @RequestParam MultipartFile project, Model model)
			throws IOException {
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		String runbookId = id.isBlank() ? "imported-runbook" : id.strip().toLowerCase().replaceAll("[^a-z0-9-]+", "-");
		Map<String, String> files;
		try {
			files = ProjectArchive.read(project.getInputStream());
		}
		catch (IllegalArgumentException | java.util.zip.ZipException ex) {
			model.addAttribute("error", "The project archive cannot be read: " + ex.getMessage());
			return "runbook/import";
		}
		String planPath = files.keySet().stream().filter((path) -> path.equals("sqitch.plan") || path.endsWith("/sqitch.plan"))
			.min(Comparator.comparingInt(String::length))
			.orElse(null);
		if (planPath == null) {
			model.addAttribute("error", "The archive holds no sqitch.plan.");
			return "runbook/import";
		}
		String root = planPath.substring(0, planPath.length() - "sqitch.plan".length());
		Map<String, String> scripts = new LinkedHashMap<>();
		files.forEach((path, text) -> {
			if (path.startsWith(root)) {
				scripts.put(path.substring(root.length()), text);
			}
		});
		try {
			SqitchImport.Draft draft = SqitchImport.of(runbookId, files.get(planPath), scripts, last);
			model.addAttribute("sqitch", draft);
			return check(runbookId, draft.yaml(), model);
		}
		catch (IllegalArgumentException ex) {
			model.addAttribute("error", ex.getMessage());
			return "runbook/import";
		}
	}

	/** Flyway: a zip of the migrations; the undo migrations of the {@code last} highest versions are run. */
	@PostMapping(path = "/runbooks/import/flyway", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	String importFlyway(@RequestParam String id, @RequestParam int last, @RequestParam(required = false) String historyTable,
			@RequestParam MultipartFile project, Model model) throws IOException {
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		InputTooLong.atMost(historyTable, InputTooLong.SHORT, "history table");
		try {
			MigrationToolImport.Draft draft = MigrationToolImport.flyway(runbookId(id), ProjectArchive.read(project.getInputStream()), last,
					historyTable);
			model.addAttribute("tool", draft);
			return check(runbookId(id), draft.yaml(), model);
		}
		catch (IllegalArgumentException | java.util.zip.ZipException ex) {
			model.addAttribute("error", ex.getMessage());
			return "runbook/import";
		}
	}

	/** alembic: the SQL {@code alembic downgrade <from>:<to> --sql} prints. */
	@PostMapping("/runbooks/import/alembic")
	String importAlembic(@RequestParam String id, @RequestParam String sql, Model model) {
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		InputTooLong.atMost(sql, LARGEST_DOCUMENT, "downgrade SQL");
		try {
			MigrationToolImport.Draft draft = MigrationToolImport.alembic(runbookId(id), sql);
			model.addAttribute("tool", draft);
			return check(runbookId(id), draft.yaml(), model);
		}
		catch (IllegalArgumentException ex) {
			model.addAttribute("error", ex.getMessage());
			return "runbook/import";
		}
	}

	private static String runbookId(String id) {
		return id.isBlank() ? "imported-runbook" : id.strip().toLowerCase().replaceAll("[^a-z0-9-]+", "-");
	}

	/** The author edited the draft: every problem again, in one pass. */
	@PostMapping("/runbooks/import/check")
	String check(@RequestParam String id, @RequestParam String yaml, Model model) {
		InputTooLong.atMost(yaml, LARGEST_DOCUMENT, "runbook");
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		List<RunbookProblem> problems = this.parser.parse(id + ".yaml", yaml).problems();
		model.addAttribute("id", id);
		model.addAttribute("yaml", yaml);
		model.addAttribute("problems", problems);
		model.addAttribute("valid", problems.stream().noneMatch(RunbookProblem::isError));
		return "runbook/import";
	}

	@PostMapping("/runbooks/import/download")
	ResponseEntity<byte[]> download(@RequestParam String id, @RequestParam String yaml) {
		InputTooLong.atMost(yaml, LARGEST_DOCUMENT, "runbook");
		String file = id.strip().toLowerCase().replaceAll("[^a-z0-9-]+", "-") + ".yaml";
		return ResponseEntity.ok()
			.contentType(new MediaType("application", "yaml", StandardCharsets.UTF_8))
			.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(file).build().toString())
			.body(yaml.getBytes(StandardCharsets.UTF_8));
	}

	@org.springframework.web.bind.annotation.ExceptionHandler(InputTooLong.class)
	@org.springframework.web.bind.annotation.ResponseStatus(org.springframework.http.HttpStatus.BAD_REQUEST)
	String tooLong(InputTooLong ex, Model model) {
		model.addAttribute("error", ex.getMessage());
		return "runbook/import";
	}

}
