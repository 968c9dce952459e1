package dev.backout.runbook;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/runbooks")
@Tag(name = "Runbooks", description = "The rollback runbooks the console serves")
class RunbookApiController {

	private final RunbookCatalog catalog;

	RunbookApiController(RunbookCatalog catalog) {
		this.catalog = catalog;
	}

	/** One line of the runbook list. */
	record RunbookSummary(String id, String title, String migration, String tool, Runbook.Risk risk,
			String estimatedDuration, String version, boolean stale, int warnings) {

		static RunbookSummary of(LoadedRunbook loaded) {
			Runbook runbook = loaded.runbook();
			return new RunbookSummary(runbook.id(), runbook.title(), runbook.migration().id(), runbook.migration().tool(),
					runbook.risk(), runbook.estimatedDuration(), loaded.hash(), loaded.stale(), loaded.warnings().size());
		}

	}

	/** A runbook with its version. */
	record RunbookDetail(String version, boolean stale, Runbook runbook) {
	}

	@GetMapping
	@Operation(summary = "List the active runbooks")
	List<RunbookSummary> list() {
		return this.catalog.runbooks().stream().map(RunbookSummary::of).toList();
	}

	@GetMapping("/{id}")
	@Operation(summary = "One runbook, as its YAML states it, with its version hash")
	RunbookDetail get(@PathVariable String id) {
		LoadedRunbook loaded = this.catalog.get(id);
		return new RunbookDetail(loaded.hash(), loaded.stale(), loaded.runbook());
	}

}
