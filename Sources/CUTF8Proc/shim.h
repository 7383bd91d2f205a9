// utf8proc: Unicode normalisation for the resolver's text folding (ElegyCore's MatchText).
#include <utf8proc.h>
