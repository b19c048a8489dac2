package dev.ktstr.vmm.btf;

import java.util.List;
import java.util.Map;

/**
 * One BTF type record. Which fields mean something depends on the kind: {@code size} for INT,
 * STRUCT, UNION, ENUM, DATASEC, FLOAT; {@code refTypeId} for PTR, TYPEDEF, modifiers, VAR, FUNC;
 * {@code members} for STRUCT/UNION; array element type and length for ARRAY; {@code enumerators}
 * (name to value, in declaration order) for ENUM/ENUM64.
 */
public record BtfType(int id, BtfKind kind, String name, long size, int refTypeId, List<BtfMember> members,
                      int arrayElemTypeId, long arrayLength, Map<String, Long> enumerators) {
    public BtfType {
        members = List.copyOf(members);
        enumerators = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(enumerators));
    }

    public boolean isComposite() {
        return kind == BtfKind.STRUCT || kind == BtfKind.UNION;
    }
}
