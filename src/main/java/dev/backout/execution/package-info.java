/**
 * Running runbook steps against a target, exactly once and provably: the plan and its hash,
 * the write-ahead journal, marker rows on the target, the per-target advisory lock, timeouts,
 * cancellation and crash recovery. Public face: {@link dev.backout.execution.Executions}.
 */
package dev.backout.execution;
