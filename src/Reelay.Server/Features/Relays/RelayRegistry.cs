namespace Reelay.Server.Features.Relays;

/// <summary>The relays configured on this node (Relays:*), each with its client for its dialect.</summary>
public sealed class RelayRegistry
{
    private readonly Dictionary<string, Relay> _relays;

    public RelayRegistry(IEnumerable<RelayOptions> relays) =>
        _relays = relays.ToDictionary(r => r.Engine, r => Create(r), StringComparer.Ordinal);

    public IReadOnlyCollection<Relay> All => _relays.Values;

    /// <summary>The relay an engine ("relay:NAME") names, or null.</summary>
    public Relay? Find(string engine) => _relays.GetValueOrDefault(engine);

    /// <summary>The engine a new task of a model with these engines goes to now (<see cref="RelayChain.Pick"/>).</summary>
    public string Pick(IReadOnlyList<string> engines) => RelayChain.Pick(engines, e => Find(e)?.Resilience.Skipped == true);

    private static Relay Create(RelayOptions options)
    {
        var health = new RelayHealth();
        var resilience = new UpstreamResilience(options, health);
        IUpstreamClient client = options.Dialect switch
        {
            "runway" => new RunwayUpstream(options, health, resilience),
            "runblob" => new RunBlobUpstream(options, health, resilience),
            _ => throw new InvalidOperationException($"Relays:{options.Name}:Dialect '{options.Dialect}' has no client."),
        };
        return new Relay(options, client, health, resilience);
    }
}
