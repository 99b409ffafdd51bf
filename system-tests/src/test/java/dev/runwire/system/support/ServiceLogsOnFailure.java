package dev.runwire.system.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a test fails, prints the warnings and errors the services logged (the last lines of each log): CI keeps only the
 * build's output, not the service logs under target/logs. Only logs written in the last 15 minutes: the ones of the
 * failing test's services.
 */
public final class ServiceLogsOnFailure implements TestWatcher {

    private static final int LINES = 40;

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Path logs = ServiceProcess.ROOT.resolve("system-tests/target/logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        System.err.println("==== " + context.getDisplayName() + " failed: " + cause);
        try (Stream<Path> files = Files.list(logs)) {
            long recent = System.currentTimeMillis() - 15 * 60_000;
            files.filter(log -> log.toFile().lastModified() > recent).sorted().forEach(ServiceLogsOnFailure::printTail);
        } catch (IOException e) {
            System.err.println("could not list " + logs + ": " + e);
        }
    }

    private static void printTail(Path log) {
        try {
            List<String> notable = Files
                    .readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(line -> line.contains("WARN")
                            || line.contains("ERROR") || line.startsWith("\t") || line.startsWith("Caused by"))
                    .toList();
            System.err.println("==== " + log.getFileName() + " (" + notable.size() + " warning/error lines, last "
                    + Math.min(LINES, notable.size()) + ")");
            notable.subList(Math.max(0, notable.size() - LINES), notable.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("could not read " + log + ": " + e);
        }
    }
}
