// TagLib behind elegy_taglib.h. C++ stays in this file; nothing it throws or allocates crosses into Swift.
#include "elegy_taglib.h"

// taglib.h first: the property headers use its macros without including it.
#include <taglib/taglib.h>

#include <taglib/apeproperties.h>
#include <taglib/fileref.h>
#include <taglib/flacproperties.h>
#include <taglib/id3v2tag.h>
#include <taglib/mpegfile.h>
#include <taglib/mp4file.h>
#include <taglib/mp4properties.h>
#include <taglib/mp4tag.h>
#include <taglib/tfile.h>
#include <taglib/tfilestream.h>
#include <taglib/tpropertymap.h>
#include <taglib/wavpackproperties.h>

namespace {

/// Bits per sample where the format records it (TagLib's base AudioProperties does not carry it).
int bitsPerSample(const TagLib::AudioProperties *properties) {
    if (const auto *flac = dynamic_cast<const TagLib::FLAC::Properties *>(properties)) return flac->bitsPerSample();
    if (const auto *mp4 = dynamic_cast<const TagLib::MP4::Properties *>(properties)) return mp4->bitsPerSample();
    if (const auto *wavpack = dynamic_cast<const TagLib::WavPack::Properties *>(properties)) {
        return wavpack->bitsPerSample();
    }
    if (const auto *ape = dynamic_cast<const TagLib::APE::Properties *>(properties)) return ape->bitsPerSample();
    return 0;
}

}  // namespace

extern "C" int elegy_taglib_read(const char *path, void *context, ElegyTagVisitor visitor, ElegyTagAudio *audio) {
    try {
        // Read-only: given a path, TagLib opens the file for writing where it may, and the close of a file opened
        // for writing is an inotify IN_CLOSE_WRITE, so every scan set auto_update's watches off again.
        TagLib::FileStream stream(path, true);
        if (!stream.isOpen()) return 0;
        TagLib::FileRef file(&stream, audio != nullptr, TagLib::AudioProperties::Average);
        if (file.isNull() || !file.file()->isValid()) return 0;
        TagLib::PropertyMap properties = file.file()->properties();
        // TagLib names ID3v2's TIT1 (content group) WORK; MPD, and the players its users know, read it as Grouping.
        if (auto *mpeg = dynamic_cast<TagLib::MPEG::File *>(file.file())) {
            const TagLib::ID3v2::Tag *id3 = mpeg->ID3v2Tag(false);
            if (id3 && !id3->frameListMap()["TIT1"].isEmpty() && properties.contains("WORK")) {
                properties.insert("GROUPING", properties["WORK"]);
                properties.erase("WORK");
            }
        }
        for (const auto &entry : properties) {
            const TagLib::ByteVector key = entry.first.data(TagLib::String::UTF8);
            const std::string keyText(key.data(), key.size());
            for (const auto &value : entry.second) {
                const TagLib::ByteVector bytes = value.data(TagLib::String::UTF8);
                const std::string text(bytes.data(), bytes.size());
                visitor(context, keyText.c_str(), text.c_str());
            }
        }
        // iTunes-style freeform atoms (----:com.apple.iTunes:replaygain_track_gain) are not in TagLib's property
        // map; taggers write ReplayGain there in M4A files.
        if (auto *mp4 = dynamic_cast<TagLib::MP4::File *>(file.file())) {
            if (const TagLib::MP4::Tag *tag = mp4->tag()) {
                const std::string prefix = "----:com.apple.iTunes:";
                for (const auto &item : tag->itemMap()) {
                    const TagLib::ByteVector key = item.first.data(TagLib::String::UTF8);
                    const std::string keyText(key.data(), key.size());
                    if (keyText.compare(0, prefix.size(), prefix) != 0) continue;
                    const std::string name = keyText.substr(prefix.size());
                    if (TagLib::String(name, TagLib::String::UTF8).upper().find("REPLAYGAIN_") != 0) continue;
                    for (const auto &value : item.second.toStringList()) {
                        const TagLib::ByteVector bytes = value.data(TagLib::String::UTF8);
                        const std::string text(bytes.data(), bytes.size());
                        visitor(context, name.c_str(), text.c_str());
                    }
                }
            }
        }
        if (audio) {
            *audio = ElegyTagAudio{};
            if (const TagLib::AudioProperties *found = file.audioProperties()) {
                audio->length_ms = found->lengthInMilliseconds();
                audio->sample_rate = found->sampleRate();
                audio->channels = found->channels();
                audio->bitrate_kbps = found->bitrate();
                audio->bits_per_sample = bitsPerSample(found);
            }
        }
        return 1;
    } catch (...) {
        return 0;
    }
}
