#pragma once
// One side of the side-by-side view: which model is loaded and its summary.

#include "session/session_types.h"

#include <QWidget>

class QLabel;

namespace sb {

class ModelPane : public QWidget {
    Q_OBJECT
public:
    explicit ModelPane(const QString& role, QWidget* parent = nullptr);
    void setModel(const LoadedModel& model, const QString& summary);
    void clear();
    QString title() const;

private:
    QLabel* m_title;
    QLabel* m_summary;
    QString m_role;
};

} // namespace sb
