package dev.backout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent by this JVM and by the whole machine (Linux's /proc/stat, in its 1/100 s ticks,
 * steal left out; zero elsewhere), for benchmarks to say what a unit of work costs whatever else
 * slows the machine.
 */
public record CpuTime(long jvmMillis, long machineMillis, long wallMillis) {

	public static CpuTime now() {
		long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime() / 1_000_000;
		long machine = 0;
		try {
			// cpu user nice system idle iowait irq softirq steal ...: busy is user to softirq but idle and iowait.
			String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			for (int i = 1; i <= 7 && i < fields.length; i++) {
				if (i != 4 && i != 5) {
					machine += Long.parseLong(fields[i]) * 10;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			machine = 0;
		}
		return new CpuTime(jvm, machine, System.nanoTime() / 1_000_000);
	}

	public CpuTime minus(CpuTime earlier) {
		return new CpuTime(this.jvmMillis - earlier.jvmMillis, (earlier.machineMillis > 0) ? this.machineMillis - earlier.machineMillis : 0,
				this.wallMillis - earlier.wallMillis);
	}

	/** The machine's other processes (here mostly PostgreSQL); zero where the machine's time is unknown. */
	public long othersMillis() {
		return (this.machineMillis > 0) ? this.machineMillis - this.jvmMillis : 0;
	}

	/** How busy the machine's processors were, in percent; zero where unknown. */
	public double busyPercent() {
		return 100.0 * this.machineMillis / (Math.max(1, this.wallMillis) * Runtime.getRuntime().availableProcessors());
	}

}
