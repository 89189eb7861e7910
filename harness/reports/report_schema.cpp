// The report schema: the base, which names no scenario, and the generator that adds what each scenario
// says of itself (its name, its unit of violations, the shape of its correctness.details).
#include "harness/reports/report_schema.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "harness/scenarios/scenario.hpp"

namespace lh::reports {

namespace {

using nlohmann::ordered_json;

// Everything the report holds whatever its scenario (docs/contract.md "JSON report"): the fields of
// reports::to_json. No object here refuses properties it does not name: fields may be added in schema_version 1.
// Left out, filled in by report_schema(): the description of a result's "scenario" (the names) and of
// "violations" (each scenario's unit), and the allOf of #/$defs/result (each scenario's details).
const char* kBase = R"schema({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$comment": "Generated: `lua-harness schema` prints this file. Its base is harness/reports/report_schema.cpp; each scenario's correctness.details comes from that scenario's details_schema(). Edit those, never this file; then regenerate it (LH_UPDATE_GOLDEN=1 unit_tests --gtest_filter='*Golden*').",
  "title": "lua-harness report, schema_version 1",
  "description": "The JSON report written by `lua-harness run --report F` and `lua-harness demo` (harness/model/report.cpp to_json). Contract: docs/contract.md, \"JSON report\" and \"v1 additions\". Fields may be added in schema_version 1; none is removed or renamed, so no object here refuses properties it does not name (a reader must ignore what it does not know). A run that ended before its load (usage error, unreachable target: exit 2 or 3) still writes a report: it carries \"error\", and its results, nodes and redis_version may be empty.",
  "type": "object",
  "required": [
    "schema_version",
    "tool",
    "started_at",
    "finished_at",
    "interrupted",
    "target",
    "config",
    "results",
    "thresholds",
    "verdict",
    "exit_code"
  ],
  "properties": {
    "schema_version": {
      "const": 1
    },
    "tool": {
      "type": "object",
      "required": [
        "name",
        "version"
      ],
      "properties": {
        "name": {
          "const": "lua-harness"
        },
        "version": {
          "type": "string"
        }
      }
    },
    "started_at": {
      "type": "string",
      "description": "ISO 8601 UTC, e.g. 2026-11-27T10:00:00Z."
    },
    "finished_at": {
      "type": "string"
    },
    "interrupted": {
      "type": "boolean",
      "description": "True when SIGINT/SIGTERM/SIGHUP ended the run early (exit code 130); the variants that did not run are in not_run."
    },
    "target": {
      "type": "object",
      "required": [
        "mode",
        "embedded",
        "nodes",
        "redis_version"
      ],
      "properties": {
        "mode": {
          "enum": [
            "standalone",
            "cluster"
          ]
        },
        "embedded": {
          "type": "boolean",
          "description": "The harness started its own redis-server."
        },
        "nodes": {
          "type": "array",
          "items": {
            "type": "string"
          },
          "description": "host:port, or redacted URLs (passwords never appear). Empty when the run ended before it reached the target."
        },
        "redis_version": {
          "type": "string",
          "description": "Empty when the run ended before it reached the target."
        },
        "failover_detected": {
          "type": "boolean",
          "description": "Cluster only: the topology changed during the run."
        },
        "tls": {
          "type": "boolean",
          "description": "Present (true) when the target was reached over TLS (rediss://)."
        },
        "tls_verified": {
          "type": "boolean",
          "description": "With tls: whether the server's certificate and name were verified (false with --tls-insecure)."
        },
        "nodes_at_end": {
          "type": "array",
          "items": {
            "type": "string"
          },
          "description": "Cluster only, and only when they differ from nodes (the masters at the start): the masters when the run ended, e.g. after a failover promoted a replica."
        }
      }
    },
    "config": {
      "type": "object",
      "required": [
        "clients",
        "threads",
        "pipeline",
        "duration_s",
        "requests",
        "rate",
        "keys",
        "seed",
        "warmup_s",
        "think_time_ms",
        "key_prefix",
        "scenarios",
        "variants"
      ],
      "properties": {
        "clients": {
          "type": "integer",
          "minimum": 0
        },
        "threads": {
          "type": "integer",
          "minimum": 0
        },
        "pipeline": {
          "type": "integer",
          "minimum": 1
        },
        "duration_s": {
          "type": "number",
          "minimum": 0
        },
        "requests": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 0
        },
        "rate": {
          "type": [
            "number",
            "null"
          ],
          "minimum": 0,
          "description": "Open-loop arrival rate, ops/s; null = closed loop."
        },
        "keys": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 0,
          "description": "Key-space size; null = each scenario's own default."
        },
        "seed": {
          "type": "integer",
          "minimum": 0
        },
        "warmup_s": {
          "type": "number",
          "minimum": 0
        },
        "think_time_ms": {
          "type": "number",
          "minimum": 0
        },
        "max_error_rate": {
          "type": "number",
          "minimum": 0,
          "maximum": 1,
          "description": "--max-error-rate: the share of failed + indeterminate ops above which a variant is inconclusive (absent in older reports: 0.01)."
        },
        "key_prefix": {
          "type": "string"
        },
        "scenarios": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "variants": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "script": {
          "type": "string",
          "description": "--script path, when used."
        },
        "eval": {
          "type": "boolean"
        },
        "function": {
          "type": "string",
          "description": "--function LIB.lua, when used: a Redis Functions library (the result's variant is fcall)."
        },
        "fcall": {
          "type": "string",
          "description": "--fcall NAME: the function each op calls."
        },
        "lock_ttl_ms": {
          "type": "integer",
          "minimum": 1,
          "description": "The lease length given on the command line, in milliseconds (absent: the default)."
        },
        "shard": {
          "type": "object",
          "required": ["count"],
          "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "--shard INDEX (0-based); absent in a merged report."},
            "count": {"type": "integer", "minimum": 1, "description": "--shard COUNT: the shards of the run."}
          },
          "description": "A shard of a run split over several processes (run --shard INDEX/COUNT), or their merge (lua-harness merge)."
        },
        "start_at_unix_us": {
          "type": "integer",
          "description": "--start-at: the wall time the load started at (unix microseconds), the zero of every shard's run clock."
        },
        "stages": {
          "type": "array",
          "description": "--stages: the open-loop rate moved linearly from the previous stage's target (0 before the first) to each stage's rate over its duration.",
          "items": {
            "type": "object",
            "required": ["duration_s", "rate"],
            "properties": {
              "duration_s": {"type": "number", "exclusiveMinimum": 0},
              "rate": {"type": "number", "minimum": 0}
            }
          }
        },
        "workload": {
          "type": "string",
          "description": "--workload FILE.json, when used: the results hold one row per entry (with its name) and a total row (name \"total\")."
        }
      }
    },
    "results": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/result"
      },
      "description": "One per variant that ran. May be empty: a run that ended before its load, or was interrupted or aborted before the first variant finished."
    },
    "thresholds": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/threshold"
      }
    },
    "verdict": {
      "enum": [
        "pass",
        "fail"
      ],
      "description": "fail when anything fails the run: a violation in a variant safe by design, an inconclusive result, a failed threshold, an error or abort."
    },
    "exit_code": {
      "enum": [
        0,
        1,
        2,
        3,
        130
      ],
      "description": "The process exit code of the run (docs/contract.md \"Exit codes\")."
    },
    "not_run": {
      "type": "array",
      "description": "Present when planned variants did not run: the run was interrupted (interrupted true) or aborted (interrupted false, e.g. the target was lost). Omitted when every planned variant ran.",
      "items": {
        "$ref": "#/$defs/not_run"
      }
    },
    "aborted": {
      "type": "object",
      "description": "Present when the run stopped early for a cause other than SIGINT/SIGTERM/SIGHUP (the target was lost mid-run); written with exit code 3. The results cover the variants that finished.",
      "required": [
        "reason"
      ],
      "properties": {
        "reason": {
          "type": "string",
          "description": "Why, in words."
        }
      }
    },
    "cleanup": {
      "type": "object",
      "description": "Present when cleanup could not delete every key under the run's prefix (config.key_prefix).",
      "required": [
        "keys_left",
        "reason"
      ],
      "properties": {
        "keys_left": {
          "type": "integer",
          "minimum": -1,
          "description": "Keys still under the prefix; -1 when unknown (the target could not be asked)."
        },
        "reason": {
          "type": "string",
          "description": "Why, in words (e.g. the error Redis gave to SCAN or UNLINK)."
        }
      }
    },
    "error": {
      "type": "object",
      "description": "Present when the run ended before its load (invalid usage or input: exit 2; target unreachable or authentication failed: exit 3). Such a report may have no results and a target without nodes.",
      "required": [
        "message"
      ],
      "properties": {
        "message": {
          "type": "string",
          "description": "The one-line message the run printed on stderr (passwords redacted)."
        }
      }
    },
    "warnings": {
      "type": "array",
      "description": "Present when the run said something the reader must know that is not a failure (e.g. open-loop ops dropped because every client was busy, naming --clients). Also said on stderr.",
      "items": {
        "type": "string"
      }
    },
    "capacity": {
      "type": "object",
      "description": "lua-harness capacity: the highest open-loop rate whose step met every SLO, and every step it ran (exponential growth until an SLO failed, then a binary search between the last good and the first bad rate).",
      "required": ["max_rate", "limited_by", "slos", "steps"],
      "properties": {
        "max_rate": {"type": ["number", "null"], "minimum": 0, "description": "ops/s; null when even the first step (--rate-start) failed."},
        "limited_by": {"type": "string", "description": "What bounded the answer, in words: the SLO that failed first, dropped ops (all clients busy), the generator (fewer ops than the target), --rate-max when no step failed; or what stopped the search early (interrupted, aborted: REASON, a step could not run: REASON), when max_rate is only the best so far."},
        "slos": {"type": "array", "items": {"type": "string"}},
        "rate_start": {"type": "number", "minimum": 0},
        "rate_max": {"type": "number", "minimum": 0},
        "precision": {"type": "number", "exclusiveMinimum": 0},
        "step_duration_s": {"type": "number", "minimum": 0},
        "step_warmup_s": {"type": "number", "minimum": 0},
        "steps": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["rate", "achieved", "p50_ms", "p99_ms", "error_rate", "dropped", "met"],
            "properties": {
              "rate": {"type": "number", "minimum": 0, "description": "The step's target, ops/s."},
              "achieved": {"type": "number", "minimum": 0, "description": "Its measured throughput, ops/s."},
              "p50_ms": {"type": "number", "minimum": 0},
              "p99_ms": {"type": "number", "minimum": 0},
              "error_rate": {"type": "number", "minimum": 0, "maximum": 1},
              "dropped": {"type": "integer", "minimum": 0},
              "violations": {"type": "integer", "minimum": 0},
              "met": {"type": "boolean"},
              "failed": {"type": "array", "items": {"type": "string"}, "description": "Why the step did not meet the SLOs, one line each."}
            }
          }
        }
      }
    }
  },
  "$defs": {
    "latency": {
      "type": "object",
      "description": "Latency summary in microseconds, from a log-linear histogram with 3 significant digits.",
      "required": [
        "min",
        "mean",
        "p50",
        "p90",
        "p99",
        "p999",
        "max"
      ],
      "properties": {
        "min": {
          "type": "integer",
          "minimum": 0
        },
        "mean": {
          "type": "number",
          "minimum": 0
        },
        "p50": {
          "type": "integer",
          "minimum": 0
        },
        "p90": {
          "type": "integer",
          "minimum": 0
        },
        "p99": {
          "type": "integer",
          "minimum": 0
        },
        "p999": {
          "type": "integer",
          "minimum": 0
        },
        "max": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "result": {
      "type": "object",
      "required": [
        "scenario",
        "variant",
        "ops",
        "errors",
        "commands_per_op",
        "retries",
        "duration_s",
        "throughput_ops_s",
        "latency_us",
        "series",
        "percentile_curve",
        "correctness"
      ],
      "properties": {
        "scenario": {
          "type": "string"
        },
        "variant": {
          "type": "string",
          "description": "atomic, naive, transaction, or a scenario's extra variant."
        },
        "name": {
          "type": "string",
          "description": "--workload: the entry's name, or \"total\" for the mix's total row (scenario \"workload\", variant \"mix\"). Absent outside a workload."
        },
        "ops": {
          "type": "object",
          "required": [
            "total",
            "ok",
            "failed",
            "indeterminate"
          ],
          "properties": {
            "total": {
              "type": "integer",
              "minimum": 0
            },
            "ok": {
              "type": "integer",
              "minimum": 0,
              "description": "The op's effect is known to have happened (or known not to, for a clean refusal)."
            },
            "failed": {
              "type": "integer",
              "minimum": 0,
              "description": "Known not to have happened (error reply before execution)."
            },
            "indeterminate": {
              "type": "integer",
              "minimum": 0,
              "description": "Unknown (timeout, lost connection)."
            },
            "scheduled": {
              "type": "integer",
              "minimum": 0,
              "description": "Open loop (--rate) only: ops the arrival schedule called for in the measured period."
            },
            "dropped": {
              "type": "integer",
              "minimum": 0,
              "description": "Open loop (--rate) only: scheduled ops that could not start on time because the client meant to send them was still busy (k6's dropped_iterations); the threshold metric `dropped`. Not in total."
            }
          }
        },
        "pipeline": {
          "type": "integer",
          "minimum": 1,
          "description": "The pipeline depth this variant ran with: --pipeline for single-call variants (atomic, --script), 1 for multi-step ones (naive, transaction, and any variant that sends several commands per op), which cannot pipeline. Absent in reports written before it was added: read as 1."
        },
        "errors": {
          "type": "object",
          "description": "Error replies and failures by class; every contract class is present, zero or not. noperm (an ACL refused the command or key) was added in 0.1.x and is written by every newer report.",
          "required": [
            "noscript",
            "busy",
            "moved",
            "ask",
            "tryagain",
            "clusterdown",
            "crossslot",
            "oom",
            "readonly",
            "timeout",
            "connection",
            "protocol",
            "script",
            "other"
          ],
          "properties": {
            "noscript": {
              "type": "integer",
              "minimum": 0
            },
            "busy": {
              "type": "integer",
              "minimum": 0
            },
            "moved": {
              "type": "integer",
              "minimum": 0
            },
            "ask": {
              "type": "integer",
              "minimum": 0
            },
            "tryagain": {
              "type": "integer",
              "minimum": 0
            },
            "clusterdown": {
              "type": "integer",
              "minimum": 0
            },
            "crossslot": {
              "type": "integer",
              "minimum": 0
            },
            "oom": {
              "type": "integer",
              "minimum": 0
            },
            "readonly": {
              "type": "integer",
              "minimum": 0
            },
            "timeout": {
              "type": "integer",
              "minimum": 0
            },
            "connection": {
              "type": "integer",
              "minimum": 0
            },
            "protocol": {
              "type": "integer",
              "minimum": 0
            },
            "script": {
              "type": "integer",
              "minimum": 0
            },
            "noperm": {
              "type": "integer",
              "minimum": 0
            },
            "other": {
              "type": "integer",
              "minimum": 0
            }
          },
          "additionalProperties": {
            "type": "integer",
            "minimum": 0
          }
        },
        "error_examples": {
          "type": "object",
          "description": "The first error message seen of each error class (keys are the class names of \"errors\"), e.g. {\"timeout\": \"timeout during read with 127.0.0.1:6379\"}: only classes with errors > 0 and a message. Omitted when there is none (absent = no example). Addresses appear as host:port and a target's password is masked as ***, so no password is ever written.",
          "additionalProperties": {
            "type": "string"
          }
        },
        "commands_per_op": {
          "type": "number",
          "minimum": 0,
          "description": "Redis commands sent per logical op."
        },
        "retries": {
          "type": "integer",
          "minimum": 0,
          "description": "Transaction variants: EXEC conflicts retried."
        },
        "duration_s": {
          "type": "number",
          "minimum": 0
        },
        "throughput_ops_s": {
          "type": "number",
          "minimum": 0
        },
        "latency_us": {
          "$ref": "#/$defs/latency"
        },
        "uncorrected_latency_us": {
          "$ref": "#/$defs/latency",
          "description": "Open loop (--rate) only: latency from the actual send rather than the intended start."
        },
        "latency_hdr": {
          "type": "string",
          "pattern": "^HISTF",
          "description": "The latency histogram behind latency_us in HdrHistogram's own V2 compressed encoding, base64 (what HdrHistogram's decodeFromCompressedBase64 reads), values in microseconds: merge it, or plot it with HdrHistogram's tools."
        },
        "merge_state": {
          "type": "object",
          "required": ["ok", "failed", "indeterminate", "latency", "series", "check_state"],
          "properties": {
            "ok": {"type": "integer", "minimum": 0},
            "failed": {"type": "integer", "minimum": 0},
            "indeterminate": {"type": "integer", "minimum": 0},
            "latency": {"type": "object", "description": "The corrected latency histogram: total, min, max, the exact sum (sum_hi, sum_lo) and the non-zero counts as [index, count]."},
            "series": {"type": "array", "items": {"type": "object"}, "description": "One histogram per second, in the same form."},
            "check_state": {
              "type": ["object", "null"],
              "required": ["form"],
              "properties": {"form": {"type": "string"}},
              "description": "The checker's state, of the form its checker names: per-key tallies with a bounded sample of evidence, admitted stamps, or the events the checker walks (zlib+base64); docs/sharding.md."
            }
          },
          "description": "A shard's result only (run --shard): the exact histograms (non-zero counts by index), the per-second series, the counts and the checker's state that lua-harness merge merges. Not for reading: use the other fields."
        },
        "uncorrected_latency_hdr": {
          "type": "string",
          "pattern": "^HISTF",
          "description": "Open loop only: the same for uncorrected_latency_us."
        },
        "series": {
          "type": "array",
          "description": "One point per second of the run, counted from the end of warmup (second 0 = [0 s, 1 s)); a second without ops has zeros. The last point usually covers only part of a second (the run ended mid-second): it carries span_s, and its rate is ops / span_s.",
          "items": {
            "type": "object",
            "required": [
              "second",
              "ops",
              "p50_us",
              "p99_us"
            ],
            "properties": {
              "second": {
                "type": "integer",
                "minimum": 0
              },
              "ops": {
                "type": "integer",
                "minimum": 0
              },
              "p50_us": {
                "type": "integer",
                "minimum": 0
              },
              "p99_us": {
                "type": "integer",
                "minimum": 0
              },
              "span_s": {
                "type": "number",
                "minimum": 1e-06,
                "maximum": 1,
                "description": "Seconds of the run this point covers, in (0, 1], to the microsecond. Written only when < 1, which only the last point can be (the run ended mid-second: from its second to the last op's completion); absent = 1, a whole second. The point's rate is ops / span_s."
              }
            }
          }
        },
        "percentile_curve": {
          "type": "array",
          "description": "HdrHistogram-style percentile plot points.",
          "items": {
            "type": "object",
            "required": [
              "percentile",
              "value_us"
            ],
            "properties": {
              "percentile": {
                "type": "number",
                "minimum": 0,
                "maximum": 100
              },
              "value_us": {
                "type": "integer",
                "minimum": 0
              }
            }
          }
        },
        "ops_per_node": {
          "type": "object",
          "description": "Cluster runs: ops routed to each node (host:port).",
          "additionalProperties": {
            "type": "integer",
            "minimum": 0
          }
        },
        "correctness": {
          "$ref": "#/$defs/correctness"
        }
      }
    },
    "correctness": {
      "type": "object",
      "required": [
        "invariant",
        "safe_by_design",
        "checked",
        "violations",
        "verdict",
        "details",
        "examples"
      ],
      "properties": {
        "invariant": {
          "type": "string",
          "description": "The invariant the checker judged, in words."
        },
        "safe_by_design": {
          "type": "boolean",
          "description": "True for atomic and transaction variants: a violation there is a failure (exit 1). False for naive variants, whose violations are the expected demonstration."
        },
        "checked": {
          "type": "boolean"
        },
        "violations": {
          "type": "integer",
          "minimum": 0
        },
        "verdict": {
          "enum": [
            "pass",
            "violated",
            "not-checked",
            "inconclusive"
          ],
          "description": "pass (0 violations), violated, not-checked (no checker, or the run ended before the check: see reason), or inconclusive (no op succeeded, or failed + indeterminate ops above --max-error-rate: nothing can be concluded, and the run fails, exit 1)."
        },
        "details": {
          "type": "object",
          "description": "The numbers behind the verdict. What each built-in scenario writes here is described in #/$defs/result's allOf (one entry per scenario, from its details_schema()); keys may be added, and a reader must ignore those it does not know."
        },
        "examples": {
          "type": "array",
          "items": {
            "type": "string"
          },
          "description": "A few concrete violations, for people."
        },
        "reason": {
          "type": "string",
          "description": "Why the verdict is not-checked or inconclusive, in words (\"no op succeeded: NOPERM ... for 258,960 of 258,960 ops\"), or why violations of a safe variant may not be the script's (a failover). Omitted when there is nothing to say."
        },
        "period": {
          "enum": [
            "measured",
            "warmup+measured"
          ],
          "description": "What the checker's history and final state cover: measured (no warmup), or warmup+measured (the final state includes the warmup's ops, while ops counts the measured period only). Absent in older reports: read as measured."
        }
      }
    },
    "threshold": {
      "type": "object",
      "required": [
        "expr",
        "scope",
        "ok",
        "value"
      ],
      "properties": {
        "expr": {
          "type": "string",
          "description": "As given to --threshold."
        },
        "scope": {
          "type": "string",
          "description": "all, a scenario, scenario/variant, or */variant."
        },
        "ok": {
          "type": "boolean"
        },
        "value": {
          "type": "number",
          "description": "The measured value that decided: the worst over the scope."
        },
        "detail": {
          "type": "string",
          "description": "Which row decided, or why the threshold failed (no row in scope, an inconclusive row in scope)."
        }
      }
    },
    "not_run": {
      "type": "object",
      "description": "A planned (scenario, variant) that did not run.",
      "required": [
        "scenario",
        "variant",
        "reason",
        "interrupted"
      ],
      "properties": {
        "scenario": {
          "type": "string"
        },
        "variant": {
          "type": "string"
        },
        "reason": {
          "type": "string",
          "description": "Why, in words: \"interrupted\", or the abort's reason."
        },
        "interrupted": {
          "type": "boolean",
          "description": "True: skipped because of SIGINT/SIGTERM/SIGHUP. False: the run was aborted."
        }
      }
    }
  }
})schema";

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

ordered_json report_schema() {
  ordered_json schema = ordered_json::parse(kBase);
  const auto& all = scenarios::all_scenarios();
  std::vector<std::string> names, units;
  ordered_json per_scenario = ordered_json::array();
  for (const scenarios::Scenario* s : all) {
    const std::string name(s->name());
    names.push_back(name);
    units.push_back(std::string(s->violation_noun()) + " (" + name + ")");
    ordered_json details;
    try {
      details = ordered_json::parse(s->details_schema());
    } catch (const nlohmann::json::exception& e) {
      throw std::logic_error("scenario " + name + ": details_schema() is not JSON: " + e.what());
    }
    // The scenario's fragment, applied where the result names it: `if` holds for that scenario's results
    // only, `then` constrains their correctness.details. Each level says its type (Ajv's strictTypes).
    ordered_json entry;
    entry["if"]["properties"]["scenario"]["const"] = name;
    entry["if"]["required"] = ordered_json::array({"scenario"});
    ordered_json& correctness = entry["then"]["properties"]["correctness"];
    correctness["type"] = "object";
    correctness["properties"]["details"] = std::move(details);
    per_scenario.push_back(std::move(entry));
  }
  ordered_json& result = schema["$defs"]["result"];
  result["properties"]["scenario"]["description"] = joined(names) + ", or custom for --script.";
  schema["$defs"]["correctness"]["properties"]["violations"]["description"] =
      "How many times the invariant was broken, in the scenario's own unit: " + joined(units) + ".";
  result["allOf"] = std::move(per_scenario);
  return schema;
}

std::string report_schema_text() { return report_schema().dump(2) + "\n"; }

}  // namespace lh::reports
