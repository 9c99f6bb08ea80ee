package io.quotagate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every YAML and JSON file under {@code deploy/} parses, with no repeated key, and holds something. */
class DeployYamlTest {

    @Test
    void everyYamlFileParsesWithoutRepeatedKeys() throws Exception {
        List<Path> files = Repo.deployFiles(".yaml", ".yml");
        assertThat(files).extracting(Repo::relative).contains("deploy/quotagate.yaml", "deploy/docker-compose.yml",
                "deploy/compose/gateway/quotagate.yaml", "deploy/k8s/deployment.yaml");
        for (Path file : files) {
            List<Object> documents;
            try {
                documents = Yaml.documents(Files.readString(file));
            } catch (RuntimeException e) {
                throw new AssertionError(Repo.relative(file) + ": " + e.getMessage(), e);
            }
            assertThat(documents).as(Repo.relative(file)).isNotEmpty();
        }
    }

    @Test
    void aRepeatedKeyIsRefused() {
        assertThatThrownBy(() -> Yaml.documents("a: 1\nb: 2\na: 3\n")).hasMessageContaining("found duplicate key a");
    }

    @Test
    void everyJsonFileParses() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (Path file : Repo.deployFiles(".json")) {
            assertThat(json.readTree(file.toFile())).as(Repo.relative(file)).isNotNull();
        }
    }
}
