package com.elcanotek.victoria.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.doctor.Report;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.status.StatusFile;
import com.elcanotek.victoria.runner.status.StatusReport;
import com.elcanotek.victoria.runner.task.JournalEntry;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The native executable only sees by reflection what is registered. The REST client extension registers its
 * own request and answer types; what our ObjectMapper reads and writes besides is ours to list in
 * reflect-config.json. This catches such a record (or a record inside one) that the file forgets, without a
 * native build.
 */
class NativeReflectionConfigTest {

    static final Path REFLECT_CONFIG = Path.of("src-native-config/META-INF/native-image/com.elcanotek/victoria-runner/reflect-config.json");

    /** What CredentialsStore, FileTaskJournal and StatusFile read and write, and what StatusCommand and the doctor print. */
    static final List<Class<?>> BOUND = List.of(Credentials.class, JournalEntry.class, StatusFile.Content.class,
            StatusReport.class, Report.class);

    /** Jackson reaches a record through its canonical constructor, accessors and component annotations. */
    static final Map<String, Object> RECORD_ACCESS = Map.of("allDeclaredConstructors", true, "allDeclaredMethods", true,
            "allDeclaredFields", true);

    private static final Pattern MAPPER_DATA_BINDING = Pattern.compile("\\.(readValue|writeValue\\w*|convertValue|treeToValue|valueToTree)\\(");

    @Test
    void everyBoundTypeIsRegisteredForReflection() throws IOException {
        Map<String, Map<String, Object>> registered = registered();
        Set<Class<?>> reachable = new LinkedHashSet<>();
        BOUND.forEach(type -> collect(type, reachable));

        assertThat(reachable).extracting(Class::getName).contains("com.elcanotek.victoria.runner.orchestrator.TaskAssignment",
                JournalEntry.Stage.class.getName(), StatusReport.Task.class.getName());
        for (Class<?> type : reachable) {
            assertThat(registered).as("reflect-config.json must register %s", type.getName()).containsKey(type.getName());
            assertThat(registered.get(type.getName())).as("reflection access of %s", type.getName())
                    .containsAllEntriesOf(RECORD_ACCESS);
        }
    }

    @Test
    void everyRegisteredClassExists() throws IOException {
        for (String name : registered().keySet()) {
            assertThat(exists(name)).as("stale entry in reflect-config.json: %s", name).isTrue();
        }
    }

    /**
     * A new class binding our types with the ObjectMapper must be weighed here: add what it binds to
     * {@link #BOUND}. LogFitter only measures the REST client's own body type (LogSubmission).
     */
    @Test
    void onlyKnownClassesBindTypesWithTheObjectMapper() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            Set<String> binders = sources.filter(path -> path.toString().endsWith(".java"))
                    .filter(NativeReflectionConfigTest::bindsTypes)
                    .map(path -> path.getFileName().toString().replace(".java", ""))
                    .collect(Collectors.toSet());
            assertThat(binders).containsExactlyInAnyOrder("CredentialsStore", "FileTaskJournal", "LogFitter", "StatusFile",
                    "StatusCommand", "Report");
        }
    }

    private static Map<String, Map<String, Object>> registered() throws IOException {
        List<Map<String, Object>> entries = new ObjectMapper().readValue(REFLECT_CONFIG.toFile(), new TypeReference<>() {
        });
        return entries.stream().collect(Collectors.toMap(entry -> (String) entry.get("name"), entry -> entry));
    }

    /** {@code type} and, for a record, every type of ours its components hold, generic arguments included. */
    private static void collect(Type type, Set<Class<?>> found) {
        if (type instanceof ParameterizedType parameterized) {
            collect(parameterized.getRawType(), found);
            Stream.of(parameterized.getActualTypeArguments()).forEach(argument -> collect(argument, found));
        } else if (type instanceof Class<?> ours && ours.getName().startsWith("com.elcanotek.") && found.add(ours)
                && ours.isRecord()) {
            Stream.of(ours.getRecordComponents()).map(RecordComponent::getGenericType).forEach(component -> collect(component, found));
        }
    }

    private static boolean bindsTypes(Path source) {
        try {
            return MAPPER_DATA_BINDING.matcher(Files.readString(source)).find();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean exists(String name) {
        try {
            Class.forName(name, false, NativeReflectionConfigTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
