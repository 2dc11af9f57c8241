"""Takes the user guide's picture of the Memory panel (docs/images/memory-panel.png).

    xvfb-run -a -s "-screen 0 1280x800x24" python tests/e2e/memory_shot.py docs/images

Makes a sample workspace in a temporary folder, tells the agent a fiscal year and two
business terms, asks a few questions through the rules (one marked helpful, one wrong), then
opens the panel on the Past questions tab and photographs it, and the Preferences tab.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import Shots, out_dir, private_home

SAID = (
    "Our fiscal year starts in April",
    "use euros",
    "I prefer bar charts",
    "lateness means avg(arr_delay + dep_delay)",
    "long flight means distance > 1000",
    "active customer: ordered in the last 90 days",
)
ASKED = (
    ("How many flights this year?", True),
    ("lateness by carrier", True),
    ("how many long flights from JFK", None),
    ("average departure delay by origin", False),
    ("number of flights per month", None),
)


def main(out: Path) -> int:
    home = private_home()

    from aiser_desktop.core.agent.loop import Conversation
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace
    from aiser_desktop.ui.memory_panel import MemoryPanel

    ws = Workspace.open(home / "workspace")
    load_sample(ws)
    conversation = Conversation.for_workspace(ws)
    for sentence in SAID:
        conversation.ask(sentence)
    for question, verdict in ASKED:
        answer = conversation.ask(question)
        if verdict is not None and answer.episode is not None and conversation.memory:
            conversation.memory.feedback(answer.episode, verdict)
    conversation.close()

    shots = Shots(out, pause=600)
    panel = MemoryPanel(ws)
    panel.resize(820, 500)
    panel.show()
    shots.settle()
    panel.wait()
    shots.settle()
    panel.tabs.setCurrentIndex(2)
    shots.settle()
    panel.grab().save(str(out / "memory-panel.png"))
    panel.tabs.setCurrentIndex(1)
    shots.settle()
    panel.grab().save(str(out / "memory-glossary.png"))
    panel.close()
    ws.close()
    print(f"wrote {out / 'memory-panel.png'} and {out / 'memory-glossary.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(out_dir()))
