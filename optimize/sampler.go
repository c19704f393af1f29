package optimize

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"math/rand"

	"github.com/c-bata/goptuna"
	"github.com/c-bata/goptuna/tpe"
)

// The study's creation and its sampler.

// openStudy creates the study or loads it from the storage, checking that
// a stored study was made for the same search.
func openStudy(storage goptuna.Storage, st *Setup, o Options) (*goptuna.Study, error) {
	sampler, err := newSampler(o.Sampler, o.Seed)
	if err != nil {
		return nil, err
	}
	name := o.Study
	if name == "" {
		name = "roofsim"
	}
	quiet := &goptuna.StdLogger{Logger: log.New(io.Discard, "", 0), Level: goptuna.LoggerLevelError}
	opts := []goptuna.StudyOption{
		goptuna.StudyOptionStorage(storage), goptuna.StudyOptionSampler(sampler),
		goptuna.StudyOptionDirection(o.Objective.direction()), goptuna.StudyOptionLogger(quiet),
	}
	fingerprint := fmt.Sprintf("objective=%s scenario=%s seed=%d sampler=%s space=%s", o.Objective, st.ScenarioName, o.Seed, samplerName(o.Sampler), st.Space.Fingerprint())
	if id, err := storage.GetStudyIDFromName(name); err == nil {
		attrs, err := storage.GetStudySystemAttrs(id)
		if err != nil {
			return nil, fmt.Errorf("optimize: study %q: %w", name, err)
		}
		if attrs["roofsim"] != fingerprint {
			return nil, fmt.Errorf("--study %q in the storage was made for another search (%s), this one is %s: pick another --study or storage", name, attrs["roofsim"], fingerprint)
		}
		gs, err := goptuna.LoadStudy(name, opts...)
		if err != nil {
			return nil, fmt.Errorf("optimize: study %q: %w", name, err)
		}
		return gs, nil
	}
	gs, err := goptuna.CreateStudy(name, opts...)
	if err != nil {
		return nil, fmt.Errorf("optimize: creating study %q: %w", name, err)
	}
	if err := gs.SetSystemAttr("roofsim", fingerprint); err != nil {
		return nil, fmt.Errorf("optimize: study %q: %w", name, err)
	}
	return gs, nil
}

func samplerName(s string) string {
	if s == "" {
		return "tpe"
	}
	return s
}

// newSampler builds the sampler: one sampler per trial and parameter,
// seeded from the study's seed, the trial's number and the parameter.
func newSampler(name string, seed int64) (goptuna.Sampler, error) {
	switch samplerName(name) {
	case "tpe":
		return trialSeeded{seed, func(s int64) goptuna.Sampler { return tpe.NewSampler(tpe.SamplerOptionSeed(s)) }}, nil
	case "random":
		return trialSeeded{seed, func(s int64) goptuna.Sampler {
			return goptuna.NewRandomSampler(goptuna.RandomSamplerOptionSeed(s))
		}}, nil
	}
	return nil, fmt.Errorf("--sampler %q is not known (accepted: %s)", name, Samplers)
}

// trialSeeded samples each parameter of each trial with its own sampler,
// seeded from the seed, the trial's number and the parameter's name: what
// a trial gets depends on the finished trials before it, not on how many
// draws other trials made (so a resumed study draws what an uninterrupted
// one does).
type trialSeeded struct {
	seed int64
	make func(seed int64) goptuna.Sampler
}

// Sample implements goptuna.Sampler. goptuna v0.9.0 draws categorical
// values and the Parzen estimators' mixture components from math/rand's
// global source rather than the sampler's seeded one, so that source is
// seeded too: with it, the draws of a trial depend only on the seed, its
// number and the parameter. The calls are serialised by the study's lock;
// the seeding takes effect with GODEBUG randseednop=0, which roofsim's
// main package and this package's tests set (without it a study is not
// reproducible; nothing else changes).
func (t trialSeeded) Sample(study *goptuna.Study, trial goptuna.FrozenTrial, name string, dist interface{}) (float64, error) {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(t.seed))
	binary.LittleEndian.PutUint64(b[8:], uint64(trial.Number))
	h.Write(b[:])
	h.Write([]byte(name))
	seed := int64(h.Sum64() >> 1)
	//lint:ignore SA1019 goptuna draws from the global source (see above)
	rand.Seed(seed)
	return t.make(seed).Sample(study, trial, name, dist)
}
