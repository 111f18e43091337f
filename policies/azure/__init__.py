"""The one Azure catalogue: type tokens (types), ARM paths, private-link zones and audit categories
(catalog), built-in role ids (roles). The pack, components/, dryrun/ and tests/ import these."""
