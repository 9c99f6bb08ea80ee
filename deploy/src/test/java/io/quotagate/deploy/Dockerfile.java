package io.quotagate.deploy;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code deploy/Dockerfile} read as its instructions (continuation lines joined, comments dropped), grouped by build
 * stage, so a test can ask what a stage runs, copies and declares without a container engine.
 */
final class Dockerfile {

    /** One instruction: {@code RUN}, {@code COPY}, ... and the rest of its line. */
    record Instruction(String keyword, String arguments) {
    }

    /** One {@code FROM} and the instructions up to the next. */
    record Stage(String from, String name, List<Instruction> instructions) {

        List<String> arguments(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }
    }

    private Dockerfile() {
    }

    static List<Stage> stages(String text) {
        List<Stage> stages = new ArrayList<>();
        for (String line : text.replace("\\\n", " ").split("\n")) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            String[] parts = stripped.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+(?i:as)\\s+");
                stages.add(new Stage(from[0], from.length > 1 ? from[1] : null, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                throw new IllegalArgumentException("instruction before FROM: " + stripped);
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return stages;
    }
}
