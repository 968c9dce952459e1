package dev.backout.runbook;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.backout.system.InputTooLong;

import org.springframework.http.MediaType;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

/**
 * Getting a runbook in from a rollback document or a migration tool's own scripts: the draft opens
 * in the editor with what landed, what is left to do, and every problem the loader would report.
 * Nothing is saved until its author saves it there (or downloads it for the repository's review).
 */
@Controller
@PreAuthorize("hasAnyRole('RUNBOOK_AUTHOR', 'ADMIN')")
class RunbookImportController {

	/** About 200 pages of Markdown; the seeds are 3–20 kB. */
	private static final int LARGEST_DOCUMENT = 200_000;

	private final EditorPage page;

	RunbookImportController(EditorPage page) {
		this.page = page;
	}

	@GetMapping("/runbooks/import")
	String form() {
		return "runbook/import";
	}

	/** A document, and the scripts it runs by name ({@code psql -f}): .sql files, or a zip of them. */
	@PostMapping("/runbooks/import")
	String importMarkdown(@RequestParam String id, @RequestParam String markdown,
			@RequestParam(required = false) MultipartFile[] scripts, Model model) throws IOException {
		InputTooLong.atMost(markdown, LARGEST_DOCUMENT, "document");
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		String runbookId = runbookId(id);
		Map<String, String> files;
		try {
			files = scripts(scripts);
		}
		catch (IllegalArgumentException | java.util.zip.ZipException ex) {
			model.addAttribute("error", "The scripts cannot be read: " + ex.getMessage());
			return "runbook/import";
		}
		MarkdownImport.Draft draft = MarkdownImport.of(runbookId, markdown, files);
		model.addAttribute("draft", draft);
		return this.page.show(draft.yaml(), null, model);
	}

	/** Bounded as a project archive is: at most 2,000 files, 1 MB each, 20 MB in all. */
	private static Map<String, String> scripts(MultipartFile[] uploads) throws IOException {
		Map<String, String> files = new LinkedHashMap<>();
		if (uploads == null) {
			return files;
		}
		long total = 0;
		for (MultipartFile upload : uploads) {
			String name = (upload.getOriginalFilename() != null) ? upload.getOriginalFilename() : "";
			if (upload.isEmpty()) {
				continue;
			}
			if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
				Map<String, String> archived = ProjectArchive.read(upload.getInputStream());
				if (archived.isEmpty()) {
					throw new IllegalArgumentException(name + " holds no files: is it a zip?");
				}
				files.putAll(archived);
			}
			else if (upload.getSize() > ProjectArchive.LARGEST_FILE) {
				throw new IllegalArgumentException(name + " is larger than 1 MB.");
			}
			else {
				files.put(name.substring(name.lastIndexOf('/') + 1), new String(upload.getBytes(), java.nio.charset.StandardCharsets.UTF_8));
			}
			total += upload.getSize();
			if (files.size() > ProjectArchive.MOST_FILES || total > ProjectArchive.LARGEST_TOTAL) {
				throw new IllegalArgumentException("more than " + ProjectArchive.MOST_FILES + " files or 20 MB in all.");
			}
		}
		return files;
	}

	/** A sqitch project, zipped: its plan, revert and verify scripts; the last {@code last} changes are reverted. */
	@PostMapping(path = "/runbooks/import/sqitch", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	String importSqitch(@RequestParam String id, @RequestParam int last, @RequestParam MultipartFile project, Model model)
			throws IOException {
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		String runbookId = runbookId(id);
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
			return this.page.show(draft.yaml(), null, model);
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
			return this.page.show(draft.yaml(), null, model);
		}
		catch (IllegalArgumentException | java.util.zip.ZipException ex) {
			model.addAttribute("error", ex.getMessage());
			return "runbook/import";
		}
	}

	/** Liquibase: a zip of the changelog and what it includes; the last {@code last} changesets are rolled back. */
	@PostMapping(path = "/runbooks/import/liquibase", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	String importLiquibase(@RequestParam String id, @RequestParam int last, @RequestParam String changelog,
			@RequestParam(required = false) String historyTable, @RequestParam MultipartFile project, Model model) throws IOException {
		InputTooLong.atMost(id, InputTooLong.SHORT, "id");
		InputTooLong.atMost(changelog, InputTooLong.SHORT, "changelog");
		InputTooLong.atMost(historyTable, InputTooLong.SHORT, "changelog table");
		try {
			Map<String, String> files = ProjectArchive.read(project.getInputStream());
			if (!files.containsKey(changelog.strip())) {
				throw new IllegalArgumentException("The archive holds no " + changelog.strip() + "; its files start with "
						+ files.keySet().stream().limit(5).toList() + ".");
			}
			LiquibaseImport.Draft draft = LiquibaseImport.of(runbookId(id), files, changelog.strip(), last, historyTable);
			model.addAttribute("tool", draft);
			return this.page.show(draft.yaml(), null, model);
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
			return this.page.show(draft.yaml(), null, model);
		}
		catch (IllegalArgumentException ex) {
			model.addAttribute("error", ex.getMessage());
			return "runbook/import";
		}
	}

	private static String runbookId(String id) {
		return id.isBlank() ? "imported-runbook" : id.strip().toLowerCase().replaceAll("[^a-z0-9-]+", "-");
	}

	@org.springframework.web.bind.annotation.ExceptionHandler(InputTooLong.class)
	@org.springframework.web.bind.annotation.ResponseStatus(org.springframework.http.HttpStatus.BAD_REQUEST)
	String tooLong(InputTooLong ex, Model model) {
		model.addAttribute("error", ex.getMessage());
		return "runbook/import";
	}

}
