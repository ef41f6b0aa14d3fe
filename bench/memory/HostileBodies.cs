using System.Text;

namespace Reelay.Bench.Memory;

/// <summary>A route that takes a JSON body: how to authorize, the fields of a valid body, and which field takes a string and which an array.</summary>
public sealed record Target(string Name, string Path, string Auth, (string Name, string Json)[] Fields, string StringField, string ArrayField);

/// <summary>A kind of hostile body, built to a byte size by <see cref="HostileBodies.Build"/>.</summary>
public enum HostileKind { UnknownKeys, NestedArrays, HugeString, WrongTypeArray }

/// <summary>
/// The hostile bodies of issue 15: valid JSON of the target's shape with one part blown up to the wanted size —
/// a million unknown keys, deeply nested arrays, one huge string, a million-element array of the wrong type.
/// </summary>
public static class HostileBodies
{
    public const int NestingDepth = 20; // inside the body object: below every parser's depth limit, so it is parsed, not refused at once

    public static string Describe(HostileKind kind) => kind switch
    {
        HostileKind.UnknownKeys => "unknown keys",
        HostileKind.NestedArrays => $"nested arrays (depth {NestingDepth})",
        HostileKind.HugeString => "one huge string",
        HostileKind.WrongTypeArray => "array of wrong type",
        _ => kind.ToString(),
    };

    public static byte[] Build(HostileKind kind, Target target, int size)
    {
        var payloadField = kind switch { HostileKind.HugeString => target.StringField, HostileKind.UnknownKeys => null, _ => target.ArrayField };
        var text = new StringBuilder(size + 1024).Append('{');
        foreach (var (name, json) in target.Fields.Where(f => f.Name != payloadField)) text.Append('"').Append(name).Append("\":").Append(json).Append(',');
        var budget = size - text.Length - 2;
        switch (kind)
        {
            case HostileKind.UnknownKeys:
                // "k0000001":0, — 13 bytes a key: 1.0 million keys in 13 MB.
                for (var i = 0; text.Length < size - 16; i++) text.Append("\"k").Append(i.ToString("D7")).Append("\":0,");
                text.Length--;
                break;
            case HostileKind.NestedArrays:
                var open = new string('[', NestingDepth);
                var close = new string(']', NestingDepth);
                text.Append('"').Append(payloadField).Append("\":[");
                while (text.Length < size - 2 * NestingDepth - 8) text.Append(open).Append('0').Append(close).Append(',');
                text.Length--;
                text.Append(']');
                break;
            case HostileKind.HugeString:
                text.Append('"').Append(payloadField).Append("\":\"").Append('a', Math.Max(1, budget - payloadField!.Length - 5)).Append('"');
                break;
            case HostileKind.WrongTypeArray:
                // 12345678901, — 12 bytes an item: a million numbers where strings (or objects) are expected in 12 MB.
                text.Append('"').Append(payloadField).Append("\":[");
                while (text.Length < size - 14) text.Append("12345678901,");
                text.Length--;
                text.Append(']');
                break;
        }
        return Encoding.UTF8.GetBytes(text.Append('}').ToString());
    }
}
