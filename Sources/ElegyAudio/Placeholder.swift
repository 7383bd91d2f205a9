enum ElegyAudioPlaceholder {}
