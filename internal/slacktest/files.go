package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// File is a file shared by the app through Slack's external upload flow
// (files.getUploadURLExternal, a POST of the content to the upload URL, then
// files.completeUploadExternal), as slack-go's UploadFileContext does it.
type File struct {
	ID, Name, Title string
	Content         []byte
}

// upload is a file between files.getUploadURLExternal and
// files.completeUploadExternal.
type upload struct {
	id, name string
	length   int
	content  []byte
	uploaded bool
	shared   bool
}

func (s *Server) apiGetUploadURLExternal(req *apiRequest) (map[string]any, *apiError) {
	name := req.str("filename")
	length, err := strconv.Atoi(req.str("length"))
	if name == "" || err != nil || length <= 0 {
		return nil, errCode("invalid_arguments", "[ERROR] filename and a positive length are required")
	}
	id := fmt.Sprintf("F%010d", s.nextIDLocked())
	s.uploads[id] = &upload{id: id, name: name, length: length}
	return map[string]any{"upload_url": s.base + "/upload/" + id, "file_id": id}, nil
}

// handleUpload receives a file's content (multipart field "file", or the
// raw body) at the URL files.getUploadURLExternal returned.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	var content []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, "missing file field", http.StatusBadRequest)
			return
		}
		defer f.Close()
		if content, err = io.ReadAll(io.LimitReader(f, maxRequestBody)); err != nil {
			http.Error(w, "reading file", http.StatusBadRequest)
			return
		}
	} else {
		var err error
		if content, err = io.ReadAll(io.LimitReader(r.Body, maxRequestBody)); err != nil {
			http.Error(w, "reading body", http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	u, ok := s.uploads[id]
	if ok && !u.shared {
		u.content, u.uploaded = content, true
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = fmt.Fprintf(w, "OK - %d", len(content))
}

func (s *Server) apiCompleteUploadExternal(req *apiRequest) (map[string]any, *apiError) {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	raw, _ := req.jsonParam("files")
	if err := json.Unmarshal(raw, &files); err != nil || len(files) == 0 {
		return nil, errCode("invalid_arguments", "[ERROR] files must be a JSON array of {id, title}")
	}
	var targets []*channel
	ids := req.str("channel_id")
	if c := req.str("channels"); c != "" {
		ids = strings.Trim(ids+","+c, ",")
	}
	for id := range strings.SplitSeq(ids, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		ch, aerr := s.postTargetLocked(id)
		if aerr != nil {
			return nil, aerr
		}
		targets = append(targets, ch)
	}
	var ups []*upload
	for _, f := range files {
		u, ok := s.uploads[f.ID]
		if !ok || !u.uploaded || u.shared {
			return nil, errCode("file_not_found")
		}
		ups = append(ups, u)
	}
	comment := req.str("initial_comment")
	out := make([]map[string]any, 0, len(files))
	for i, u := range ups {
		u.shared = true
		title := files[i].Title
		if title == "" {
			title = u.name
		}
		f := &File{ID: u.id, Name: u.name, Title: title, Content: u.content}
		for _, ch := range targets {
			m := &message{ts: s.nextTSLocked(), threadTS: req.str("thread_ts"), user: s.opts.BotUserID, text: comment}
			s.storeMessageLocked(ch, m)
			s.addRecordLocked(Record{Kind: "file", Via: "api", Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, Text: comment, File: f})
		}
		out = append(out, map[string]any{"id": u.id, "title": title})
	}
	return map[string]any{"files": out}, nil
}
