package dev.ktstr.vmm.btf;

/**
 * One member of a struct or union.
 *
 * @param name         member name; empty for an anonymous struct/union member
 * @param typeId       BTF id of the member's type
 * @param bitOffset    offset from the start of the enclosing struct, in bits
 * @param bitfieldSize width in bits for a bitfield, 0 for an ordinary member
 */
public record BtfMember(String name, int typeId, long bitOffset, int bitfieldSize) {}
