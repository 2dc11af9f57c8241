"""The Qt-free core: workspace, engine, sources, events. Nothing here imports Qt."""
